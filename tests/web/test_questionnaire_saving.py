"""Nothing is lost: two tabs, conflicts side by side, autosave, expired forms.

Ended sessions (drafts kept for their author's browser) are in test_questionnaire_signin_drafts.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin, start_draft, statements_run
from sqlalchemy import select
from test_questionnaire_pages import FIRST, form_fields, section_url

from rubric_app.assessments import (
    ItemChange,
    ItemState,
    load_states,
    rubric_for,
    save_items,
)
from rubric_app.assessments.parts import base_of
from rubric_app.assessments.submission import submit
from rubric_app.models import Assessment, Membership, SavedDraft, User
from rubric_app.scoring import score_section


@pytest.fixture
def assessment(session: Any) -> Assessment:
    org = make_org(session, "Riverside Schools")
    make_org(session, "Elsewhere Schools")
    owner = make_user(session, "owner@riverside.example", org, "owner")
    make_user(session, "editor@riverside.example", org, "editor")
    make_user(session, "other@elsewhere.example", None)
    return start_draft(session, org, owner)


def page_fields(client: FlaskClient, url: str) -> dict[str, list[str]]:
    return form_fields(client.get(url).get_data(as_text=True))


def test_two_tabs_merge_and_conflicts_are_chosen_side_by_side(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    tab_one = page_fields(client, url)
    tab_two = page_fields(client, url)

    tab_one["mou-purpose-stated__policy"] = ["fully"]
    tab_one["mou-purpose-stated__comment"] = ["Tab one's comment"]
    assert client.post(url, data=tab_one).status_code == 302

    # The stale tab changes the same item differently, and another item too.
    tab_two["mou-purpose-stated__policy"] = ["not-in-place"]
    tab_two["mou-roles-responsibilities__practice"] = ["partly"]
    response = client.post(url, data=tab_two)
    assert response.status_code == 302
    conflict_url = response.headers["Location"]
    assert "/conflicts/" in conflict_url
    session.expire_all()
    states = load_states(session, assessment)
    assert states["mou-roles-responsibilities"].values == {"practice": "partly"}  # merged
    assert states["mou-purpose-stated"].values == {"policy": "fully"}  # not overwritten

    page = client.get(conflict_url).get_data(as_text=True)
    assert "Keep my version" in page
    assert "Keep the saved version" in page
    assert "Tab one&#39;s comment" in page or "Tab one's comment" in page
    assert "Not in place" in page
    assert "Fully in place" in page
    token = csrf_from(page)
    theirs = re.search(r'name="theirs-mou-purpose-stated" value="([^"]+)"', page).group(1)

    missing = client.post(
        conflict_url, data={"csrf_token": token, "theirs-mou-purpose-stated": theirs}
    )
    assert missing.status_code == 400
    assert "Choose which version" in missing.get_data(as_text=True)

    chosen = client.post(
        conflict_url,
        data={
            "csrf_token": token,
            "theirs-mou-purpose-stated": theirs,
            "choice-mou-purpose-stated": "mine",
        },
    )
    assert chosen.status_code == 302
    session.expire_all()
    assert load_states(session, assessment)["mou-purpose-stated"].values == {
        "policy": "not-in-place"
    }
    # The draft is used up.
    assert client.get(conflict_url).status_code == 302


def test_autosave_saves_and_reports_bases_visibility_and_conflicts(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)
    token = fields["csrf_token"][0]
    autosave = f"/assessments/{assessment.id}/autosave"
    fields["partnership-exists__value"] = ["yes"]
    response = client.post(autosave, data=fields, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved"
    assert body["saved"] == ["partnership-exists"]
    assert body["visible"]["mou-living-document-reviewed"] is True
    assert body["answered"] == 1
    assert body["applicable"] == 12
    new_base = body["bases"]["partnership-exists"]
    assert new_base == base_of(load_states(session, assessment)["partnership-exists"])

    # Someone else changes the gate; this page (with its old base) adds a comment only: the
    # two parts merge, and the page hears that the item holds someone else's change too.
    other = client.application.test_client()
    signin(other, "owner@riverside.example")
    theirs = page_fields(other, url)
    theirs["partnership-exists__value"] = ["no"]
    assert other.post(url, data=theirs).status_code == 302

    fields["partnership-exists__base"] = [new_base]
    fields["partnership-exists__comment"] = ["Two SROs since 2019"]
    body = client.post(autosave, data=fields, headers={"X-CSRFToken": token}).get_json()
    assert body["status"] == "saved"
    assert body["stale"] == ["partnership-exists"]
    assert body["stale_by_you"] == []  # the owner changed it, not this editor
    session.expire_all()
    merged = load_states(session, assessment)["partnership-exists"]
    assert (merged.values, merged.comment) == ({"value": "no"}, "Two SROs since 2019")

    # Both change the comment: that part conflicts, and this page's comment is not saved.
    fields["partnership-exists__base"] = [body["bases"]["partnership-exists"]]
    theirs = page_fields(other, url)
    theirs["partnership-exists__comment"] = ["Three SROs"]
    assert other.post(url, data=theirs).status_code == 302
    fields["partnership-exists__comment"] = ["Two SROs since 2020"]
    response = client.post(autosave, data=fields, headers={"X-CSRFToken": token})
    body = response.get_json()
    assert body["status"] == "conflict"
    assert body["conflicts"] == ["partnership-exists"]
    assert f"/assessments/{assessment.id}/conflicts/" in body["conflict_url"]
    # Autosaving again while the conflict stands reuses the same draft.
    fields["conflict_key"] = [body["conflict_key"]]
    again = client.post(autosave, data=fields, headers={"X-CSRFToken": token}).get_json()
    assert again["conflict_key"] == body["conflict_key"]
    assert session.query(SavedDraft).count() == 1


def test_a_change_made_in_your_own_other_tab_is_said_to_be_yours(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """Merged (this tab changed another part of the item) or left alone (this tab did not
    touch it), an item changed in the same user's other tab is not "someone else's"."""
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    autosave = f"/assessments/{assessment.id}/autosave"
    tab_one = page_fields(client, url)
    tab_two = page_fields(client, url)
    token = tab_one["csrf_token"][0]
    tab_one["partnership-exists__value"] = ["yes"]
    tab_one["mou-purpose-stated__policy"] = ["partly"]
    assert client.post(autosave, data=tab_one, headers={"X-CSRFToken": token}).status_code == 200

    # The second tab, with the page's first bases, comments on the gate only.
    tab_two["partnership-exists__comment"] = ["Two SROs since 2019"]
    body = client.post(autosave, data=tab_two, headers={"X-CSRFToken": token}).get_json()
    assert body["status"] == "saved"
    # The gate merged (this tab's comment beside the other tab's answer); the other item
    # was left alone here. Both were changed by this same user.
    assert body["stale"] == ["partnership-exists", "mou-purpose-stated"]
    assert body["stale_by_you"] == sorted(["partnership-exists", "mou-purpose-stated"])
    session.expire_all()
    merged = load_states(session, assessment)["partnership-exists"]
    assert (merged.values, merged.comment) == ({"value": "yes"}, "Two SROs since 2019")

    # A teammate's change is theirs, beside this user's own.
    other = client.application.test_client()
    signin(other, "owner@riverside.example")
    theirs = page_fields(other, url)
    theirs["mou-purpose-stated__practice"] = ["fully"]
    assert other.post(url, data=theirs).status_code == 302
    tab_three = dict(tab_two)
    tab_three["csrf_token"] = [token]
    tab_three["partnership-exists__comment"] = ["Three SROs since 2020"]
    body = client.post(autosave, data=tab_three, headers={"X-CSRFToken": token}).get_json()
    assert "mou-purpose-stated" in body["stale"]
    assert "mou-purpose-stated" not in body["stale_by_you"]


def test_autosave_without_token_or_session_answers_in_json(
    app: Any, client: FlaskClient, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    autosave = f"/assessments/{assessment.id}/autosave"
    response = client.post(autosave, data={"section_id": FIRST})
    assert response.status_code == 400
    assert response.get_json()["reason"] == "csrf"
    anonymous = app.test_client()
    response = anonymous.post(autosave, data={"section_id": FIRST})
    assert response.status_code == 401
    assert response.get_json()["reason"] == "signin"


def test_refused_autosaves_change_nothing_and_release_the_assessment(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """The autosave takes the assessment's lock before its access check (one read for both):
    whoever is refused gets the same answer as before, and the lock ends with their request."""
    make_user(session, "viewer@riverside.example", assessment.organization, "viewer")
    session.commit()
    signin(client, "editor@riverside.example")
    fields = page_fields(client, section_url(assessment))
    token = fields["csrf_token"][0]
    fields["partnership-exists__value"] = ["yes"]
    autosave = f"/assessments/{assessment.id}/autosave"

    outsider = app.test_client()
    signin(outsider, "other@elsewhere.example")
    viewer = app.test_client()
    signin(viewer, "viewer@riverside.example")
    for who, url, status in (
        (outsider, autosave, 404),
        (viewer, autosave, 403),
        (client, f"/assessments/{assessment.id + 1000}/autosave", 404),
    ):
        theirs = {**fields, "csrf_token": [csrf_from(who.get("/").get_data(as_text=True))]}
        response = who.post(url, data=theirs, headers={"X-CSRFToken": theirs["csrf_token"][0]})
        assert response.status_code == status, (url, response.get_data(as_text=True)[:200])
    session.expire_all()
    assert load_states(session, assessment) == {}

    # Nothing still holds the assessment: the editor's save goes through at once.
    response = client.post(autosave, data=fields, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["saved"] == ["partnership-exists"]
    session.expire_all()
    assert load_states(session, assessment)["partnership-exists"].values == {"value": "yes"}


def test_autosave_counts_equal_scoring_the_whole_stored_assessment(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """The autosave's answered/applicable reuse the post's visibility when the section stores
    what was posted; with a gate closed, an item hidden, an error or a conflict they still
    equal the section's score over everything stored."""
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)
    token = fields["csrf_token"][0]
    autosave = f"/assessments/{assessment.id}/autosave"
    rubric = rubric_for(assessment)

    def save(changed: dict[str, list[str]]) -> dict[str, Any]:
        fields.update(changed)
        body = client.post(autosave, data=fields, headers={"X-CSRFToken": token}).get_json()
        for item_id, base in body["bases"].items():
            fields[f"{item_id}__base"] = [base]
        session.expire_all()
        stored = load_states(session, assessment)
        score = score_section(rubric, {k: v.to_answer() for k, v in stored.items()}, FIRST)
        assert (body["answered"], body["applicable"]) == (score.answered, score.applicable)
        return body

    # Everything posted is stored: the post's visibility is reused.
    save({"partnership-exists__value": ["yes"], "mou-crisis-planning__policy": ["fully"]})
    # The gate closes; the now hidden item's new value is posted but not saved.
    body = save({"partnership-exists__value": ["no"], "mou-crisis-planning__policy": ["partly"]})
    assert body["visible"]["mou-crisis-planning"] is False
    assert body["applicable"] < 12
    # N/A without a reason: an error, the item is not saved.
    body = save({"partnership-exists__value": ["yes"], "mou-purpose-stated__na": ["y"]})
    assert [error["field"] for error in body["errors"]] == ["mou-purpose-stated__na_reason"]
    # Someone else clears the gate this page opens: a conflict, so the gate stays closed
    # although this post would open it (the post's visibility is not what is stored).
    del fields["mou-purpose-stated__na"]
    save({"partnership-exists__value": ["no"]})
    other = client.application.test_client()
    signin(other, "owner@riverside.example")
    theirs = page_fields(other, url)
    del theirs["partnership-exists__value"]
    assert other.post(url, data=theirs).status_code == 302
    body = save({"partnership-exists__value": ["yes"]})
    assert body["status"] == "conflict"
    assert body["applicable"] < 12


def test_a_later_section_saves_by_the_gate_stored_in_the_first(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """A save reads only the stored answers that decide its section (``section_reads``): a
    later section's items still open and close with the first section's gate, and its counts
    equal the section's score over everything stored."""
    signin(client, "editor@riverside.example")
    rubric = rubric_for(assessment)
    later = rubric.sections[1]
    gated = [item.id for item in later.items if item.show_if is not None]
    assert gated, "the second section has no item behind the first section's gate"
    assert {ref for item_id in gated for ref in rubric.item(item_id).show_if.referenced_items()}
    assert not any(item.id == "partnership-exists" for item in later.items)
    first = page_fields(client, section_url(assessment))
    token = first["csrf_token"][0]
    autosave = f"/assessments/{assessment.id}/autosave"
    fields = page_fields(client, section_url(assessment, later.id))
    unrelated = rubric.sections[2].items[0]
    stored_elsewhere = {f"{unrelated.id}__{unrelated.answer_dimensions[0]}": ["fully"]}
    for gate, shown in (("yes", True), ("no", False)):
        first["partnership-exists__value"] = [gate]
        assert client.post(autosave, data=first, headers={"X-CSRFToken": token}).status_code == 200
        first = page_fields(client, section_url(assessment))
        if gate == "yes":
            third = page_fields(client, section_url(assessment, rubric.sections[2].id))
            third.update(stored_elsewhere)
            assert (
                client.post(autosave, data=third, headers={"X-CSRFToken": token}).status_code == 200
            )
        fields[f"{gated[0]}__comment"] = [f"Saved with the gate at {gate}"]
        body = client.post(autosave, data=fields, headers={"X-CSRFToken": token}).get_json()
        fields = page_fields(client, section_url(assessment, later.id))
        assert body["status"] == "saved", body
        assert all(body["visible"][item_id] is shown for item_id in gated)
        session.expire_all()
        everything = load_states(session, assessment)
        assert unrelated.id in everything  # stored, and not read by this section's save
        score = score_section(rubric, {k: v.to_answer() for k, v in everything.items()}, later.id)
        assert (body["answered"], body["applicable"]) == (score.answered, score.applicable)
        # The states the save read are those of the items deciding the section, as stored.
        reads = rubric.section_reads(later.id)
        assert "partnership-exists" in reads
        assert unrelated.id not in reads
        assert load_states(session, assessment, only=reads) == {
            item_id: state for item_id, state in everything.items() if item_id in reads
        }


def test_bad_token_with_a_live_session_re_renders_what_was_typed(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)
    fields["csrf_token"] = ["stale-token"]
    fields["mou-purpose-stated__comment"] = ["Kept through a stale form"]
    response = client.post(url, data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This page had expired" in page
    assert "Kept through a stale form</textarea>" in page
    assert csrf_from(page) != "stale-token"
    assert load_states(session, assessment) == {}
    assert client.post(url, data=form_fields(page)).status_code == 302
    session.expire_all()
    assert (
        load_states(session, assessment)["mou-purpose-stated"].comment
        == "Kept through a stale form"
    )


def test_section_page_queries_do_not_grow_with_items(
    app: Any, client: FlaskClient, session: Any, assessment: Assessment
) -> None:

    from rubric_app.db import db

    signin(client, "editor@riverside.example")
    client.get(section_url(assessment))  # warm up: first-request work is not per page
    counts = []
    for section_id in (FIRST, "recruit-and-hire"):
        with statements_run(db.engine) as statements:
            assert client.get(section_url(assessment, section_id)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 12
    assert session.get(Assessment, assessment.id) is not None


def test_a_save_refused_after_submission_or_a_role_change_keeps_what_was_typed(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """A teammate submits while the page is open, or an owner makes the user a viewer: the
    Save button's post is refused with the reason, on the section page, with every word typed
    still in its field (never a bare error page that throws the words away)."""
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    fields = page_fields(client, url)

    def refused_and_kept(comment: str, status: int, reason: str) -> None:
        response = client.post(url, data={**fields, "mou-purpose-stated__comment": [comment]})
        assert response.status_code == status
        page = response.get_data(as_text=True)
        assert reason in page
        assert f"{comment}</textarea>" in page

    membership = session.scalars(
        select(Membership).join(User).where(User.email == "editor@riverside.example")
    ).one()
    membership.role = "viewer"
    session.commit()
    refused_and_kept("Typed after the role changed", 403, "no longer allows changing this")
    membership.role = "editor"
    submit(session, assessment, user=None)
    session.commit()
    refused_and_kept("Typed while a teammate submitted", 409, "submitted while this page was")
    session.expire_all()
    assert load_states(session, assessment) == {}


def test_an_over_long_na_reason_is_refused_like_a_comment_and_kept_as_typed(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """The N/A reason has the same limit and counter as the other notes: over it, the item is
    not saved and the field says why, with the text still in it."""
    signin(client, "editor@riverside.example")
    url = section_url(assessment)
    page = client.get(url).get_data(as_text=True)
    reason = next(name for name in form_fields(page) if name.endswith("__na_reason"))
    tag = re.search(rf'<textarea[^>]*name="{reason}"[^>]*>', page)
    assert tag is not None
    assert 'data-max-length="20000"' in tag.group(0)  # the page's character counter
    fields = form_fields(page)
    item_id = reason.rpartition("__")[0]
    fields[f"{item_id}__na"] = ["y"]
    fields[reason] = ["x" * 20_001]
    response = client.post(url, data=fields)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Keep this under 20,000 characters." in text
    assert "x" * 20_001 in text
    session.expire_all()
    assert item_id not in load_states(session, assessment)


def _rate_paper_only(session: Any, assessment: Assessment) -> None:
    """Rate the first item's written MOU, and not its practice."""
    change = ItemChange("mou-purpose-stated", ItemState(values={"policy": "partly"}), None)
    save_items(session, assessment, [change], user=None)


def test_a_half_rated_item_reads_partly_answered_with_what_was_given(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """The written MOU rated, practice not yet: the review page neither hides the rating
    behind "Not answered" nor counts the item as answered."""
    _rate_paper_only(session, assessment)
    session.commit()
    signin(client, "editor@riverside.example")
    page = client.get(f"/assessments/{assessment.id}/review").get_data(as_text=True)
    item = page.split('id="item-mou-purpose-stated"')[1].split("</li>")[0]
    assert "Partly answered" in item
    assert "Not answered</span>" not in item
    assert "Partly in place" in item  # the rating given
    section = page.split('id="item-mou-purpose-stated"')[0].rsplit("<h2", 1)[1]
    assert re.search(r"\b0 of \d+ answered", section)  # still not counted as answered


def test_a_submitted_assessment_with_gaps_has_no_section_in_progress(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    _rate_paper_only(session, assessment)
    submit(session, assessment, user=None)
    session.commit()
    signin(client, "editor@riverside.example")
    page = " ".join(client.get(f"/assessments/{assessment.id}").get_data(as_text=True).split())
    assert "Submitted with 0 of" in page
    assert "sections fully answered" in page
    assert "Some left unanswered" in page
    assert "In progress" not in page
    assert "Not started" not in page


def test_the_assessment_page_says_what_the_scores_rest_on_beside_the_questions_answered(
    client: FlaskClient, session: Any, assessment: Assessment
) -> None:
    """ "28 of 52 questions" here and "from 24 of 48 items answered" on the board summary read
    as a contradiction: the page now says the scores leave N/A and unscored items out."""
    _rate_paper_only(session, assessment)
    session.commit()
    signin(client, "editor@riverside.example")
    page = " ".join(client.get(f"/assessments/{assessment.id}").get_data(as_text=True).split())
    questions = re.search(r"<dt>Answered</dt><dd>(\d+) of (\d+) questions", page)
    basis = re.search(r"The scores rest on (\d+) of (\d+) scored items \(not applicable", page)
    assert questions is not None
    assert basis is not None
    assert questions.groups() != basis.groups()
    assert int(basis.group(2)) < int(questions.group(2))  # the unscored yes/no item
