"""An organization adds funding conditions (the COPS Hiring Program's) to its reports (issue 19,
item 2): owners tick them on the organization page, the choice is stored and audited, and the
report, PDF and JSON judge them after the state's law, with the gaps they require ranked first."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from helpers import csrf_from, make_org, make_user, signin
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemState
from rubric_app.models import Assessment, AuditEvent, OrganizationFramework

COPS = "federal-cops-hiring-program"
COPS_DISCIPLINE = "COPS Hiring Program SRO conditions"
STATES = {
    "partnership-exists": ItemState(values={"value": "yes"}),
    # Washington reads only the written policy (met); the COPS condition reads practice too.
    "mou-no-discipline-role": ItemState(values={"policy": "fully", "practice": "not-in-place"}),
    # An essential gap neither framework maps: it outranks the discipline gap on impact alone.
    "mou-use-of-force-limits": ItemState(
        values={"policy": "not-in-place", "practice": "not-in-place"}
    ),
}


def _setup(session: Session) -> tuple[str, str, Assessment]:
    org = make_org(session, "Evergreen School District", state="WA")
    owner = make_user(session, "owner@evergreen.example.org", org, "owner")
    editor = make_user(session, "editor@evergreen.example.org", org, "editor")
    return owner.email, editor.email, make_assessment(session, org, owner, states=STATES)


def _tick(client: FlaskClient, *framework_ids: str) -> str:
    page = client.get("/organization").get_data(as_text=True)
    response = client.post(
        "/organization/frameworks",
        data={"csrf_token": csrf_from(page), "frameworks-frameworks": list(framework_ids)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _article(page: str, item_id: str) -> str:
    found = re.search(rf'<article class="gap card" id="gap-{item_id}".*?</article>', page, re.S)
    assert found is not None, item_id
    return _normal(re.sub(r"<[^>]+>", " ", found.group(0)))


def _priority(text: str) -> int:
    found = re.search(r"Priority (\d+) of", text)
    assert found is not None
    return int(found.group(1))


def test_owner_adds_the_cops_conditions_and_reports_judge_them(
    client: FlaskClient, session: Session
) -> None:
    owner, _editor, assessment = _setup(session)
    signin(client, owner)
    page = client.get("/organization").get_data(as_text=True)
    assert "Funding conditions your reports check" in page
    assert f'value="{COPS}"' in page
    report = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Your state's law" in report
    assert f'id="law-{COPS}"' not in report

    saved = _tick(client, COPS)
    assert "Saved" in saved
    stored = session.scalars(select(OrganizationFramework.framework_id)).all()
    assert stored == [COPS]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "org.frameworks")).one()
    assert event.detail == {"added": [COPS], "removed": []}

    report = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Laws and funding conditions" in report
    # The state's law first, then the funding conditions.
    assert report.index('id="law-wa-rcw-28a-320-124"') < report.index(f'id="law-{COPS}"')
    # The COPS condition reads the practice side too, which Washington's law does not: the
    # discipline gap is now required, and every required gap ranks before the others (the
    # use-of-force gap, which no framework maps, among them).
    discipline = _article(report, "mou-no-discipline-role")
    assert f"Required by {COPS_DISCIPLINE}" in discipline
    articles = [
        _normal(re.sub(r"<[^>]+>", " ", a))
        for a in re.findall(r'<article class="gap card".*?</article>', report, re.S)
    ]
    required = [_priority(a) for a in articles if "Required by" in a]
    others = [_priority(a) for a in articles if "Required by" not in a]
    assert required
    assert max(required) < min(others)
    assert _priority(discipline) < _priority(_article(report, "mou-use-of-force-limits"))

    data = client.get(f"/assessments/{assessment.id}.json").get_json()
    assert [(f["framework"], f["jurisdiction"]) for f in data["law"]] == [
        ("wa-rcw-28a-320-124", "WA"),
        (COPS, "federal"),
    ]
    gap = next(g for g in data["gaps"] if g["item_id"] == "mou-no-discipline-role")
    assert COPS_DISCIPLINE in gap["required_by"]

    pdf = client.get(f"/assessments/{assessment.id}/report.pdf")
    text = _normal(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    assert "Laws and funding conditions" in text
    assert "COPS Hiring Program" in text


def test_unticking_removes_it_and_is_audited(client: FlaskClient, session: Session) -> None:
    owner, _editor, assessment = _setup(session)
    signin(client, owner)
    _tick(client, COPS)
    assert "Nothing changed" in _tick(client, COPS)
    _tick(client)
    assert session.scalars(select(OrganizationFramework)).all() == []
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "org.frameworks").order_by(AuditEvent.id)
    ).all()
    assert [e.detail for e in events] == [
        {"added": [COPS], "removed": []},
        {"added": [], "removed": [COPS]},
    ]
    report = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert "Laws and funding conditions" not in report


def test_a_framework_that_is_not_offered_is_refused(client: FlaskClient, session: Session) -> None:
    owner, _editor, _assessment = _setup(session)
    signin(client, owner)
    # A state's law is not something to add, nor is a made-up id.
    for wrong in ("il-105-ilcs-5-10-20-68", "no-such-framework"):
        page = _tick(client, wrong)
        assert "Nothing was changed" in page
        assert "tick only the funding conditions listed" in page
        assert wrong not in page
    assert session.scalars(select(OrganizationFramework)).all() == []


def test_only_owners_change_it(client: FlaskClient, session: Session) -> None:
    owner, editor, _assessment = _setup(session)
    signin(client, owner)
    _tick(client, COPS)
    client.post("/signout", data={"csrf_token": csrf_from(client.get("/organization").data)})
    signin(client, editor)
    page = client.get("/organization").get_data(as_text=True)
    assert "COPS Hiring Program" in page
    assert 'action="/organization/frameworks"' not in page
    response = client.post(
        "/organization/frameworks",
        data={"csrf_token": csrf_from(page), "frameworks-frameworks": []},
    )
    # A member may see the organization but not change it: 403, as for the profile.
    assert response.status_code == 403
    assert session.scalars(select(OrganizationFramework.framework_id)).all() == [COPS]
