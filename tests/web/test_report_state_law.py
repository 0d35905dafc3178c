"""The report's "Your state's law" section, on the page, in the PDF and in the JSON export, and
the gaps a law requires marked and ranked first (issue 19, item 2)."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemState
from rubric_app.models import Assessment

QUOTE = "Officers shall take no part in school discipline."
#: Washington (RCW 28A.320.124): one requirement per outcome.
STATES = {
    "partnership-exists": ItemState(values={"value": "yes"}),
    # RCW 28A.320.124(1)(a), policy only: met, with evidence.
    "mou-no-discipline-role": ItemState(
        values={"policy": "fully", "practice": "not-in-place"},
        evidence_quote=QUOTE,
        evidence_source="MOU 2025, section 3",
    ),
    # (1)(b): partly.
    "mou-criminal-vs-discipline-line": ItemState(values={"policy": "partly", "practice": "partly"}),
    # (1)(c): not met.
    "mou-purpose-stated": ItemState(values={"policy": "not-in-place", "practice": "fully"}),
    # (1)(d): complaint-process left unanswered, so cannot tell.
    # An essential gap no Washington requirement maps.
    "mou-use-of-force-limits": ItemState(
        values={"policy": "not-in-place", "practice": "not-in-place"}
    ),
}


def _normal(text: str) -> str:
    return " ".join(text.split())


def _setup(session: Session, state: str = "WA") -> tuple[str, Assessment]:
    org = make_org(session, "Evergreen School District", state=state)
    owner = make_user(session, "owner@evergreen.example.org", org, "owner")
    return owner.email, make_assessment(session, org, owner, states=STATES)


def _requirement(page: str, requirement_id: str) -> str:
    start = rf'<li class="law-req[^"]*" id="law-wa-rcw-28a-320-124-{requirement_id}">'
    found = re.search(start + r'.*?</li>\s*(?=<li class="law-req|</ol>)', page, re.S)
    assert found is not None, requirement_id
    return _normal(re.sub(r"<[^>]+>", " ", found.group(0)))


def test_report_page_shows_each_requirement_with_its_outcome_items_and_evidence(
    client: FlaskClient, session: Session
) -> None:
    email, assessment = _setup(session)
    signin(client, email)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Your state's law" in page
    assert "not legal advice" in page
    assert "check the current text" in page
    assert "RCW 28A.320.124, 28A.320.1241 and 28A.320.1242" in page
    assert "Text dated 2021" in page
    assert "Read from the official text" in page
    assert 'href="/frameworks/wa-rcw-28a-320-124"' in page

    met = _requirement(page, "no-formal-discipline")
    assert met.startswith("Met · RCW 28A.320.124(1)(a)")
    # Only the written policy counts for this requirement, and the evidence quote is shown.
    assert "Written MOU or policy: Fully in place" in met
    assert "Practice" not in met
    assert QUOTE in met
    assert "MOU 2025, section 3" in met

    assert _requirement(page, "when-staff-call-officers").startswith(
        "Partly met · RCW 28A.320.124(1)(b)"
    )
    assert _requirement(page, "positive-climate").startswith("Not met · RCW 28A.320.124(1)(c)")
    unknown = _requirement(page, "family-complaints")
    assert unknown.startswith("Cannot tell · RCW 28A.320.124(1)(d)")
    assert "Not answered" in unknown


def test_gaps_a_law_requires_are_marked_and_ranked_first(
    client: FlaskClient, session: Session
) -> None:
    email, assessment = _setup(session)
    signin(client, email)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)

    def article(item_id: str) -> str:
        found = re.search(rf'<article class="gap card" id="gap-{item_id}".*?</article>', page, re.S)
        assert found is not None, item_id
        return _normal(re.sub(r"<[^>]+>", " ", found.group(0)))

    def priority(text: str) -> int:
        found = re.search(r"Priority (\d+) of", text)
        assert found is not None
        return int(found.group(1))

    purpose = article("mou-purpose-stated")
    force = article("mou-use-of-force-limits")
    assert "Required by RCW 28A.320.124(1)(c)" in purpose
    assert "Required by" not in force
    # The law reads only the written policy of item 2.1, which is fully in place: the practice
    # gap is not one the law requires.
    assert "Required by" not in article("mou-no-discipline-role")
    # The essential use-of-force gap outranks the recommended purpose gap on impact alone; the
    # law puts the required one first.
    assert priority(purpose) < priority(force)
    assert priority(article("mou-criminal-vs-discipline-line")) < priority(force)


def test_pdf_shows_the_section_and_the_required_by_marking(
    client: FlaskClient, session: Session
) -> None:
    email, assessment = _setup(session)
    signin(client, email)
    response = client.get(f"/assessments/{assessment.id}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = _normal(" ".join(page.extract_text() for page in reader.pages))
    # One PDF for every reader (the district's board, a partner, the state advocate): it names
    # no reader "you", even when the district's own member downloads it.
    assert "Your state's law" not in text
    assert "Your overall level" not in text
    law = text[text.index("The state's law") : text.rindex("Gap list")]
    assert "not legal advice" in law
    assert "check the current text" in law
    assert "Text dated 2021" in law
    assert "Met · RCW 28A.320.124(1)(a)" in law
    assert "Partly met · RCW 28A.320.124(1)(b)" in law
    assert "Not met · RCW 28A.320.124(1)(c)" in law
    assert "Cannot tell · RCW 28A.320.124(1)(d)" in law
    assert QUOTE in law
    assert "How this law is checked" in law
    uris = {
        annotation.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots", []) or []
        if "/A" in annotation.get_object()
    }
    assert any(str(uri).endswith("/frameworks/wa-rcw-28a-320-124") for uri in uris)
    gaps = text[text.rindex("Gap list") :]
    assert "Required by RCW 28A.320.124(1)(c)" in gaps


def test_json_export_carries_the_outcomes(client: FlaskClient, session: Session) -> None:
    email, assessment = _setup(session)
    signin(client, email)
    data = client.get(f"/assessments/{assessment.id}.json").get_json()
    (framework,) = data["law"]
    assert framework["framework"] == "wa-rcw-28a-320-124"
    outcomes = {r["id"]: r["outcome"] for r in framework["requirements"]}
    assert outcomes["no-formal-discipline"] == "met"
    assert outcomes["when-staff-call-officers"] == "partly"
    assert outcomes["positive-climate"] == "not-met"
    assert outcomes["family-complaints"] == "cannot-tell"
    # The gaps in the report's order: those the law requires first, with their citations.
    gaps = {gap["item_id"]: gap for gap in data["gaps"]}
    assert gaps["mou-purpose-stated"]["required_by"] == ["RCW 28A.320.124(1)(c)"]
    assert gaps["mou-use-of-force-limits"]["required_by"] == []
    assert gaps["mou-purpose-stated"]["priority"] < gaps["mou-use-of-force-limits"]["priority"]
    assert [gap["priority"] for gap in data["gaps"]] == list(range(1, len(data["gaps"]) + 1))


@pytest.mark.parametrize("state", ["MN"])
def test_a_state_without_a_framework_shows_no_section_and_marks_no_gap(
    client: FlaskClient, session: Session, state: str
) -> None:
    email, assessment = _setup(session, state)
    signin(client, email)
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Your state's law" not in page
    assert "Required by" not in page


def test_the_section_is_not_shown_to_another_organization(
    client: FlaskClient, session: Session
) -> None:
    _email, assessment = _setup(session)
    other = make_org(session, "Elsewhere District", state="WA")
    stranger = make_user(session, "someone@elsewhere.example.org", other, "owner")
    signin(client, stranger.email)
    assert client.get(f"/assessments/{assessment.id}/report").status_code == 404
    assert client.get(f"/assessments/{assessment.id}/report.pdf").status_code == 404
