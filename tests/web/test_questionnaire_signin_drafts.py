"""An ended session keeps what was typed, for its author's browser only.

A signed-out post to a section is kept as a draft bound to a secret in that browser's cookie; it
comes back after sign-in in that browser, into an assessment the user may edit, and nowhere
else. The answer to a signed-out post does not say whether the assessment exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin, start_draft
from sqlalchemy import select
from test_questionnaire_pages import FIRST, form_fields, section_url
from test_questionnaire_saving import page_fields

from rubric_app.assessments import load_states
from rubric_app.models import Assessment, SavedDraft
from rubric_app.questionnaire.signin_drafts import DRAFT_COOKIE

KEPT_PATH = "/assessments/kept-draft"
SIGNIN_LOCATION = "/signin?next=%2Fassessments%2Fkept-draft"


@pytest.fixture
def assessment(session: Any) -> Assessment:
    """A district assessment with an owner and an editor, and an outsider elsewhere."""
    org = make_org(session, "Riverside Schools")
    make_org(session, "Elsewhere Schools")
    owner = make_user(session, "owner@riverside.example", org, "owner")
    make_user(session, "editor@riverside.example", org, "editor")
    make_user(session, "other@elsewhere.example", None)
    return start_draft(session, org, owner)


def _typed(client: FlaskClient, assessment: Assessment) -> dict[str, list[str]]:
    """The section as the editor's page would post it, with an answer and a comment typed."""
    signin(client, "editor@riverside.example")
    fields = page_fields(client, section_url(assessment))
    fields["mou-purpose-stated__policy"] = ["partly"]
    fields["mou-purpose-stated__comment"] = ["Typed before the session ended"]
    return fields


def _set_cookie(response: Any, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return str(headers[0])


def _signin_via_link(client: FlaskClient, email: str, location: str) -> str:
    """Sign in from the sign-in link the redirect gave; return where sign-in sends the user."""
    token = csrf_from(client.get(location).data)
    response = client.post(
        location, data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return str(response.headers["Location"])


def _drafts(session: Any) -> list[SavedDraft]:
    session.expire_all()
    return list(session.scalars(select(SavedDraft).order_by(SavedDraft.id)))


def test_the_authors_browser_gets_its_draft_back_after_signing_in(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    url = section_url(assessment)

    # A browser whose session has gone: no cookie, so no valid token either.
    expired = app.test_client()
    response = expired.post(url, data=fields)
    assert response.status_code == 302
    assert response.headers["Location"] == SIGNIN_LOCATION  # no assessment id, no key
    cookie = _set_cookie(response, DRAFT_COOKIE)
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/assessments", "Max-Age=604800"):
        assert attribute in cookie
    secret = cookie.split(";")[0].split("=", 1)[1]
    [draft] = _drafts(session)
    # Only a hash of the browser's secret is stored.
    assert draft.browser_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (draft.key, draft.browser_hash)
    assert load_states(session, assessment) == {}

    landing = _signin_via_link(expired, "editor@riverside.example", SIGNIN_LOCATION)
    assert landing == KEPT_PATH
    response = expired.get(KEPT_PATH)
    assert response.status_code == 302
    restore_url = response.headers["Location"]
    assert urlsplit(restore_url).path == url
    page = expired.get(restore_url).get_data(as_text=True)
    assert "We kept what you typed" in page
    assert "Typed before the session ended</textarea>" in page
    assert load_states(session, assessment) == {}  # not saved until the user says so

    restored = form_fields(page)
    assert restored["restore_key"] == [draft.key]
    assert expired.post(url, data=restored).status_code == 302
    session.expire_all()
    assert load_states(session, assessment)["mou-purpose-stated"].comment == (
        "Typed before the session ended"
    )
    # The draft is used up: neither the restore link nor the kept-draft step offers it again.
    assert "We kept what you typed" not in expired.get(restore_url, follow_redirects=True).get_data(
        as_text=True
    )
    page = expired.get(KEPT_PATH, follow_redirects=True).get_data(as_text=True)
    assert "Nothing you typed before your session ended was kept in this browser" in page


def test_another_browser_with_the_same_link_gets_nothing(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    url = section_url(assessment)
    author = app.test_client()
    response = author.post(url, data=fields)
    location = response.headers["Location"]
    [draft] = _drafts(session)

    # Someone else, even a teammate who may edit, signs in with the same link in their browser.
    other = app.test_client()
    assert _signin_via_link(other, "editor@riverside.example", location) == KEPT_PATH
    page = other.get(KEPT_PATH, follow_redirects=True).get_data(as_text=True)
    assert "Nothing you typed before your session ended was kept in this browser" in page
    assert "Typed before the session ended" not in page
    # Even with the draft's key in hand, the page comes up as stored, nothing pre-filled.
    restore_url = f"{url}?restore={draft.key}"
    page = other.get(restore_url, follow_redirects=True).get_data(as_text=True)
    assert "typed in another browser" in page
    assert "Typed before the session ended" not in page
    # And posting that key from the other browser does not use up the author's draft.
    other_fields = page_fields(other, url)
    other_fields["restore_key"] = [draft.key]
    assert other.post(url, data=other_fields).status_code == 302
    [still_open] = _drafts(session)
    assert still_open.claimed_at is None

    # The author's browser still gets it back.
    _signin_via_link(author, "editor@riverside.example", location)
    restore_url = author.get(KEPT_PATH).headers["Location"]
    assert "Typed before the session ended</textarea>" in author.get(restore_url).get_data(
        as_text=True
    )


def test_a_user_who_may_not_edit_gets_nothing_in_the_same_browser(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    url = section_url(assessment)
    browser = app.test_client()
    location = browser.post(url, data=fields).headers["Location"]
    # An outsider signs in in the very browser that kept the draft.
    _signin_via_link(browser, "other@elsewhere.example", location)
    response = browser.get(KEPT_PATH)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/assessments"
    page = browser.get(KEPT_PATH, follow_redirects=True).get_data(as_text=True)
    assert "Nothing you typed before your session ended was kept in this browser" in page
    [draft] = _drafts(session)
    assert draft.claimed_at is None
    assert browser.get(f"{url}?restore={draft.key}").status_code == 404


def test_the_answer_is_the_same_whether_or_not_the_assessment_exists(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    missing = session.scalar(select(Assessment.id).order_by(Assessment.id.desc())) + 1000
    answers = []
    for target in (
        section_url(assessment),
        f"/assessments/{missing}/sections/{FIRST}",
        section_url(assessment, "no-such-section"),
    ):
        anonymous = app.test_client()
        response = anonymous.post(target, data=fields)
        cookies = sorted(
            # Name and attributes; the values are random (the secret) or signed (the session),
            # and Expires moves with the clock (Max-Age says the same thing, steadily).
            (
                header.split("=", 1)[0],
                ";".join(
                    part
                    for part in header.split(";")[1:]
                    if not part.strip().startswith("Expires=")
                ),
            )
            for header in response.headers.getlist("Set-Cookie")
        )
        answers.append(
            (
                response.status_code,
                response.headers["Location"],
                response.get_data(as_text=True),
                cookies,
            )
        )
        flashed = anonymous.get("/signin").get_data(as_text=True)
        assert "we kept what you typed" in flashed
    assert answers[0] == answers[1] == answers[2]
    assert str(assessment.id) not in answers[0][1]
    assert [draft.assessment_id for draft in _drafts(session)] == [assessment.id]


def test_a_post_from_another_site_is_not_kept(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """A form on another site, submitted in a signed-out browser, cannot plant a draft."""
    fields = _typed(client, assessment)
    url = section_url(assessment)
    anonymous = app.test_client()
    planted = anonymous.post(url, data=fields, headers={"Origin": "https://attacker.example"})
    assert planted.headers["Location"] == SIGNIN_LOCATION
    planted = anonymous.post(url, data=fields, headers={"Sec-Fetch-Site": "cross-site"})
    assert planted.headers["Location"] == SIGNIN_LOCATION
    assert _drafts(session) == []
    own = anonymous.post(
        url,
        data=fields,
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.headers["Location"] == SIGNIN_LOCATION
    assert len(_drafts(session)) == 1
    # An older browser sends only Origin; https there while the app sees http (TLS ended at a
    # proxy) is still this site.
    anonymous.post(url, data=fields, headers={"Origin": "https://localhost"})
    anonymous.post(url, data=fields, headers={"Origin": "null"})
    assert len(_drafts(session)) == 2


def test_drafts_expire_after_seven_days(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    url = section_url(assessment)
    browser = app.test_client()
    browser.post(url, data=fields)
    [draft] = _drafts(session)
    key = draft.key
    draft.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    session.commit()
    signin(browser, "editor@riverside.example")
    page = browser.get(KEPT_PATH, follow_redirects=True).get_data(as_text=True)
    assert "Nothing you typed before your session ended was kept in this browser" in page
    page = browser.get(f"{url}?restore={key}", follow_redirects=True).get_data(as_text=True)
    assert "have expired" in page
    assert "We kept what you typed" not in page


def test_signed_out_posts_keep_a_bounded_number_of_drafts(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """An anonymous client cannot fill the database: drafts per address are rate limited."""
    app.config["RATELIMIT_ENABLED"] = True
    fields = _typed(client, assessment)
    url = section_url(assessment)
    anonymous = app.test_client()
    locations = {anonymous.post(url, data=fields).headers["Location"] for _ in range(22)}
    assert locations == {SIGNIN_LOCATION}
    assert len(_drafts(session)) == 20
    page = anonymous.get("/signin").get_data(as_text=True)
    assert "too many pages were kept from this address" in page
    # One browser, one secret: every draft it kept is bound to the same hash.
    assert len({draft.browser_hash for draft in _drafts(session)}) == 1


def test_the_newest_of_two_pages_kept_in_one_browser_comes_back_first(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    fields = _typed(client, assessment)
    browser = app.test_client()
    browser.post(section_url(assessment), data=fields)
    location = browser.post(section_url(assessment, "recruit-and-hire"), data={}).headers[
        "Location"
    ]
    _signin_via_link(browser, "editor@riverside.example", location)
    restore_url = browser.get(KEPT_PATH).headers["Location"]
    assert urlsplit(restore_url).path == section_url(assessment, "recruit-and-hire")
    assert parse_qs(urlsplit(restore_url).query)["restore"] == [_drafts(session)[1].key]
