"""Advice for the side that is short, on the report page and in the PDF, and rubric versions
with per-side advice stored beside older ones without it (issue 16, item 2)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from markupsafe import escape
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemState
from rubric_app.catalog_state import current_catalog
from rubric_app.rubric_versions import (
    latest_version,
    record_catalog,
    record_rubric,
    rubric_of,
    versions_of,
)
from rubric_app.scoring import ItemAnswer, find_gaps, score_assessment

LOCAL = "secure-local-implementation"
#: Item 1.3 of the issue: the written MOU fully in place, practice only partly.
SIGNED = "mou-before-officers-start"
#: Item 4.3 of the issue: practice fully in place, the written side short.
TRAINED = "training-youth-development"
PRACTICE_SHORT = "The MOU or policy says it; practice does not yet."
PAPER_SHORT = "Practice does it; the MOU or policy does not say so yet."

STATES = {
    "partnership-exists": ItemState(values={"value": "yes"}),
    SIGNED: ItemState(values={"policy": "fully", "practice": "partly"}),
    TRAINED: ItemState(values={"policy": "partly", "practice": "fully"}),
}


def _normal(text: str) -> str:
    return " ".join(text.split())


def _setup(session: Session) -> tuple[str, int]:
    org = make_org(session, "Riverton City School District")
    owner = make_user(session, "owner@riverton.example.org", org, "owner")
    assessment = make_assessment(session, org, owner, states=STATES)
    return owner.email, assessment.id


def _advice(session: Session, item_id: str, dimension: str) -> str:
    version = latest_version(session, LOCAL)
    assert version is not None
    return rubric_of(version).item(item_id).recommendation_for(dimension)


def _article(page: str, item_id: str) -> str:
    found = re.search(rf'<article class="gap card" id="gap-{item_id}".*?</article>', page, re.S)
    assert found is not None, item_id
    return _normal(found.group(0))


def test_report_page_names_the_short_side_and_gives_its_advice(
    client: FlaskClient, session: Session
) -> None:
    email, assessment_id = _setup(session)
    signin(client, email)
    page = client.get(f"/assessments/{assessment_id}/report").get_data(as_text=True)

    signed = _article(page, SIGNED)
    assert PRACTICE_SHORT in signed
    assert str(escape(_advice(session, SIGNED, "practice"))) in signed
    assert str(escape(_advice(session, SIGNED, "policy"))) not in signed
    # The one-size advice the issue quotes, telling a district with a signed MOU to sign one.
    assert "until both agencies have signed an MOU" not in signed

    trained = _article(page, TRAINED)
    assert PAPER_SHORT in trained
    assert str(escape(_advice(session, TRAINED, "policy"))) in trained
    assert str(escape(_advice(session, TRAINED, "practice"))) not in trained
    assert "Written MOU or policy:" in trained


def test_report_page_gives_both_pieces_of_advice_when_neither_side_is_there(
    client: FlaskClient, session: Session
) -> None:
    org = make_org(session, "Lakeside Unified")
    owner = make_user(session, "owner@lakeside.example.org", org, "owner")
    states = {**STATES, SIGNED: ItemState(values={"policy": "partly", "practice": "not-in-place"})}
    assessment = make_assessment(session, org, owner, states=states)
    signin(client, owner.email)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    signed = _article(page, SIGNED)
    assert "Neither yet" in signed
    policy = signed.index(str(escape(_advice(session, SIGNED, "policy"))))
    practice = signed.index(str(escape(_advice(session, SIGNED, "practice"))))
    assert policy < practice


def _gap_title_at(gap_list: str, number: str) -> int:
    found = re.search(rf"Item {re.escape(number)}( \(page \d+\))?:", gap_list)
    assert found is not None, f"no gap title for item {number}"
    return found.start()


def test_pdf_gap_list_names_the_short_side_and_gives_its_advice(
    client: FlaskClient, session: Session
) -> None:
    email, assessment_id = _setup(session)
    signin(client, email)
    response = client.get(f"/assessments/{assessment_id}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = _normal(" ".join(page.extract_text() for page in reader.pages))
    gap_list = text[text.rindex("Gap list") :]

    # A gap's title names its item and, in print, the page of its answers: "Item 1.3 (page 11):".
    signed_at = _gap_title_at(gap_list, "1.3")
    trained_at = _gap_title_at(gap_list, "4.3")
    # Each gap's text runs from its title to the next gap's title.
    signed, trained = sorted([signed_at, trained_at])
    first, second = gap_list[signed:trained], gap_list[trained:]
    assert (signed_at, trained_at) == (signed, trained)  # step 1 comes before step 4
    assert PRACTICE_SHORT in first
    assert _normal(_advice(session, SIGNED, "practice")) in first
    assert _normal(_advice(session, SIGNED, "policy")) not in first
    assert PAPER_SHORT in second
    assert _normal(_advice(session, TRAINED, "policy")) in second
    assert _normal(_advice(session, TRAINED, "practice")) not in second


def test_versions_without_per_side_advice_stay_usable_beside_new_ones(session: Session) -> None:
    catalog = current_catalog()
    current = catalog.rubrics[LOCAL]
    state = catalog.rubrics["secure-state-local-policy"]
    # A version stored before per-side advice existed: no recommendations on any item. (The
    # versions are read from the files, so bumping a rubric's version keeps this test.)
    old_version = "2016.1"
    assert current.version != old_version
    old = replace(
        current,
        version=old_version,
        sections=tuple(
            replace(section, items=tuple(replace(i, recommendations=()) for i in section.items))
            for section in current.sections
        ),
    )
    assert record_rubric(session, old).result == "added"
    # Reloading the files leaves both versions in place; unchanged files stay "unchanged".
    outcomes = {(o.rubric_id, o.version): o.result for o in record_catalog(session, catalog)}
    assert outcomes[(LOCAL, current.version)] == "unchanged"
    assert outcomes[(state.id, state.version)] == "unchanged"
    stored = {version.version: version for version in versions_of(session, LOCAL)}
    assert {old_version, current.version} <= set(stored)

    answers = {
        "partnership-exists": ItemAnswer(values={"value": "yes"}),
        SIGNED: ItemAnswer(values={"policy": "fully", "practice": "partly"}),
    }
    old_rubric = rubric_of(stored[old_version])
    (old_gap,) = find_gaps(old_rubric, score_assessment(old_rubric, answers))
    # The old version falls back to its single recommendation, but still names the side.
    assert old_gap.recommendation == old_rubric.item(SIGNED).recommendation
    assert old_gap.short_side == "practice-short"
    new_rubric = rubric_of(stored[current.version])
    (new_gap,) = find_gaps(new_rubric, score_assessment(new_rubric, answers))
    assert new_gap.recommendation == new_rubric.item(SIGNED).recommendation_for("practice")
