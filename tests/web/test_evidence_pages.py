"""The evidence pages through HTTP: suggestions with what matched, accepting, dismissing and
removing evidence, who may do it, bad input, the empty states and the links to the page."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from agreement_files import mou_text
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.agreements import operations
from rubric_app.agreements.suggestions import look_for_of, marked_text
from rubric_app.assessments import start_assessment
from rubric_app.catalog_state import current_catalog
from rubric_app.models import AgreementClause, Assessment, EvidenceAnchor, Organization, User
from rubric_app.rubric_versions import latest_version

ITEM = "mou-use-of-force-limits"
SECTION = "civil-rights"


def _assessment(
    session: Session, org: Organization, user: User, period: str = "2026-27"
) -> Assessment:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    return start_assessment(
        session, org=org, version=version, title=f"Review {period}", period=period, user=user
    )


@pytest.fixture
def setting(session: Session) -> dict[str, int]:
    org = make_org(session, "Harbor Valley USD")
    owner = make_user(session, "owner@example.org", org, "owner")
    make_user(session, "editor@example.org", org, "editor")
    make_user(session, "viewer@example.org", org, "viewer")
    other = make_org(session, "Elsewhere USD")
    stranger = make_user(session, "stranger@example.org", other, "owner")
    assessment = _assessment(session, org, owner)
    elsewhere = _assessment(session, other, stranger)
    operations.upload_document(
        session, assessment, data=mou_text().encode(), file_name="mou.txt", user=owner
    )
    foreign = operations.upload_document(
        session, elsewhere, data=mou_text().encode(), file_name="theirs.txt", user=stranger
    )
    session.commit()
    return {
        "assessment": assessment.id,
        "elsewhere": elsewhere.id,
        "foreign_clause": foreign.clauses[5].id,
    }


def _page_url(assessment_id: int, section: str = SECTION) -> str:
    return f"/assessments/{assessment_id}/evidence/{section}"


def _item_html(page: str, item_id: str) -> str:
    """The part of the page about one item (up to the next item)."""
    start = page.index(f'id="item-{item_id}"')
    end = page.find('<section class="evidence-item"', start)
    return page[start : end if end > 0 else len(page)]


def _suggested_clause_ids(part: str) -> list[int]:
    # The suggestions are the clauses with a "Use as evidence" button, in order.
    suggestions = part.split("Suggested passages", 1)[1]
    return [int(found) for found in re.findall(r'name="clause_id" value="(\d+)"', suggestions)]


def _clause(session: Session, assessment_id: int, number: str) -> AgreementClause:
    found = session.scalar(
        select(AgreementClause)
        .join(AgreementClause.document)
        .where(AgreementClause.number == number)
        .where(AgreementClause.document.has(assessment_id=assessment_id))
    )
    assert found is not None
    return found


def _post(
    client: FlaskClient, assessment_id: int, item_id: str, clause_id: object, action: str
) -> tuple[int, str, str]:
    token = csrf_from(client.get(_page_url(assessment_id)).data)
    response = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={
            "csrf_token": token,
            "item_id": item_id,
            "clause_id": str(clause_id),
            "action": action,
        },
    )
    return response.status_code, response.headers.get("Location", ""), response.get_data(True)


def _anchors(session: Session) -> list[tuple[str, int | None, str]]:
    session.expire_all()
    rows = session.scalars(select(EvidenceAnchor).order_by(EvidenceAnchor.id))
    return [(row.item_id, row.clause_id, row.decision) for row in rows]


def test_each_item_gets_suggestions_with_citation_text_and_what_matched(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    signin(client, "editor@example.org")
    response = client.get(_page_url(setting["assessment"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "nothing here rates an item" in page
    part = _item_html(page, ITEM)
    force = _clause(session, setting["assessment"], "6.4")
    assert _suggested_clause_ids(part)[0] == force.id
    assert "MOU §6.4" in part
    assert "(mou.txt)" in part
    assert "Matched: use of force, " in part
    assert "<mark>" in part
    assert part.count("Use as evidence") == len(_suggested_clause_ids(part)) <= 3
    assert "Not relevant" in part
    assert "No evidence recorded for this item yet." in part


def test_accept_dismiss_and_remove_come_back_to_the_item(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    signin(client, "editor@example.org")
    first, second = _suggested_clause_ids(
        _item_html(client.get(_page_url(assessment_id)).get_data(True), ITEM)
    )[:2]

    status, location, _ = _post(client, assessment_id, ITEM, first, "accept")
    assert status == 303
    assert location.endswith(f"{_page_url(assessment_id)}#item-{ITEM}")
    assert _anchors(session) == [(ITEM, first, "accepted")]
    page = client.get(_page_url(assessment_id)).get_data(as_text=True)
    assert "is now evidence for item" in page
    part = _item_html(page, ITEM)
    evidence_part = part.split("Suggested passages", 1)[0]
    assert f'name="clause_id" value="{first}"' in evidence_part
    assert "Remove" in evidence_part
    # An accepted clause is no longer suggested for the item.
    assert first not in _suggested_clause_ids(part)

    assert _post(client, assessment_id, ITEM, second, "dismiss")[0] == 303
    assert _anchors(session) == [(ITEM, first, "accepted"), (ITEM, second, "dismissed")]
    part = _item_html(client.get(_page_url(assessment_id)).get_data(True), ITEM)
    assert second not in _suggested_clause_ids(part)

    assert _post(client, assessment_id, ITEM, first, "withdraw")[0] == 303
    assert _anchors(session) == [(ITEM, second, "dismissed")]
    page = client.get(_page_url(assessment_id)).get_data(as_text=True)
    assert "is no longer evidence for item" in page
    # Removed evidence may be suggested again.
    assert first in _suggested_clause_ids(_item_html(page, ITEM))


def test_viewers_see_without_buttons_and_may_not_decide(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    signin(client, "viewer@example.org")
    page = client.get(_page_url(assessment_id)).get_data(as_text=True)
    assert "Matched: " in page
    assert "Use as evidence" not in page
    assert "Not relevant" not in page
    clause = _clause(session, assessment_id, "4.1")
    assert _post(client, assessment_id, ITEM, clause.id, "accept")[0] == 403
    assert _anchors(session) == []


def test_another_organization_gets_404_for_the_page_and_the_post(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    clause = _clause(session, assessment_id, "4.1")
    signin(client, "stranger@example.org")
    assert client.get(_page_url(assessment_id)).status_code == 404
    # Their own page gives them a token; posting it to the other assessment still finds nothing.
    token = csrf_from(client.get(_page_url(setting["elsewhere"])).data)
    response = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={"csrf_token": token, "item_id": ITEM, "clause_id": clause.id, "action": "accept"},
    )
    assert response.status_code == 404
    assert _anchors(session) == []


def test_signed_out_visitors_are_sent_to_sign_in(
    client: FlaskClient, setting: dict[str, int]
) -> None:
    response = client.get(_page_url(setting["assessment"]))
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


@pytest.mark.parametrize(
    ("item_id", "clause", "action", "status", "message"),
    [
        ("no-such-item", "4.1", "accept", 400, "is not a rated item"),
        # A yes/no item is not rated, so it takes no evidence.
        ("partnership-exists", "4.1", "accept", 400, "is not a rated item"),
        (ITEM, "foreign", "accept", 400, "not in any document of this assessment"),
        (ITEM, "99999999999", "accept", 400, "named by its number"),
        (ITEM, "2147483648", "accept", 400, "not in any document of this assessment"),
        (ITEM, "²", "accept", 400, "named by its number"),
        (ITEM, "4.1", "approve", 400, "Not a valid choice"),
        ("", "4.1", "accept", 400, "Say which item."),
    ],
)
def test_bad_decisions_are_refused_with_a_message_and_change_nothing(
    client: FlaskClient,
    session: Session,
    setting: dict[str, int],
    item_id: str,
    clause: str,
    action: str,
    status: int,
    message: str,
) -> None:
    assessment_id = setting["assessment"]
    if clause == "4.1":
        clause = str(_clause(session, assessment_id, "4.1").id)
    elif clause == "foreign":
        clause = str(setting["foreign_clause"])
    signin(client, "editor@example.org")
    got, _, page = _post(client, assessment_id, item_id, clause, action)
    assert got == status
    assert message in page
    assert _anchors(session) == []


def test_a_decision_without_the_csrf_token_is_refused(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    clause = _clause(session, assessment_id, "4.1")
    signin(client, "editor@example.org")
    response = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={"item_id": ITEM, "clause_id": clause.id, "action": "accept"},
    )
    assert response.status_code == 400
    assert _anchors(session) == []


def test_a_submitted_assessment_refuses_decisions_with_a_message(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    clause = _clause(session, assessment_id, "4.1")
    signin(client, "editor@example.org")
    token = csrf_from(client.get(_page_url(assessment_id)).data)
    assessment = session.get(Assessment, assessment_id)
    assert assessment is not None
    assessment.status = "submitted"
    session.commit()
    response = client.post(
        f"/assessments/{assessment_id}/evidence",
        data={"csrf_token": token, "item_id": ITEM, "clause_id": clause.id, "action": "accept"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "reopen it to change its evidence" in page
    assert "Use as evidence" not in page
    assert _anchors(session) == []


def test_without_documents_the_page_says_how_to_upload(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    org = session.scalar(select(Organization).where(Organization.name == "Harbor Valley USD"))
    owner = session.scalar(select(User).where(User.email == "owner@example.org"))
    assert org is not None
    assert owner is not None
    empty = _assessment(session, org, owner, "2027-28")
    session.commit()
    signin(client, "editor@example.org")
    page = client.get(_page_url(empty.id)).get_data(as_text=True)
    assert "No agreement uploaded yet" in page
    assert f'href="/assessments/{empty.id}/documents"' in page
    assert "Suggested passages" not in page
    # And the section page does not link to it: nothing to find there yet.
    section = client.get(f"/assessments/{empty.id}/sections/{SECTION}").get_data(as_text=True)
    assert "/evidence/" not in section


def test_the_section_page_and_the_document_list_link_to_the_evidence_page(
    client: FlaskClient, setting: dict[str, int]
) -> None:
    assessment_id = setting["assessment"]
    signin(client, "editor@example.org")
    section = client.get(f"/assessments/{assessment_id}/sections/{SECTION}")
    assert section.get_data(as_text=True).count(f'href="{_page_url(assessment_id)}"') == 1
    documents = client.get(f"/assessments/{assessment_id}/documents").get_data(as_text=True)
    assert f'href="{_page_url(assessment_id, "partnerships-and-mous")}"' in documents
    assert client.get(_page_url(assessment_id, "no-such-section")).status_code == 404


def test_clause_text_is_escaped_and_only_matches_are_marked(
    client: FlaskClient, session: Session, setting: dict[str, int]
) -> None:
    assessment = session.get(Assessment, setting["assessment"])
    owner = session.scalar(select(User).where(User.email == "owner@example.org"))
    assert assessment is not None
    assert owner is not None
    hostile = (
        "1. Discipline\n"
        '<script>alert("x")</script> School discipline & the code of conduct stay with '
        "<b>educators</b>.\n"
    )
    operations.upload_document(
        session, assessment, data=hostile.encode(), file_name="hostile.txt", user=owner
    )
    session.commit()
    signin(client, "editor@example.org")
    page = client.get(_page_url(assessment.id)).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<mark>School</mark> <mark>discipline</mark> &amp; the <mark>code</mark>" in page
    assert "&lt;b&gt;" in page
    assert "<b>" not in page


def test_marked_text_escapes_every_piece() -> None:
    marked = marked_text("<i>Complaints</i> & more", ["complaint"])
    assert str(marked) == "&lt;i&gt;<mark>Complaints</mark>&lt;/i&gt; &amp; more"
    assert str(marked_text("a < b", [])) == "a &lt; b"


def test_a_version_stored_before_look_for_borrows_the_current_list(app: Flask) -> None:
    with app.app_context():
        current = current_catalog().rubrics["secure-local-implementation"]
        old = replace(
            current,
            version="2016.2",
            sections=tuple(
                replace(section, items=tuple(replace(i, look_for=()) for i in section.items))
                for section in current.sections
            ),
        )
        assert old.item(ITEM).look_for == ()
        # The list only orders suggestions (never a rating), so the current vocabulary is used.
        assert look_for_of(old, old.item(ITEM)) == current.item(ITEM).look_for
        assert "use of force" in look_for_of(old, old.item(ITEM))
