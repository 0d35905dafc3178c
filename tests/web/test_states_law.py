"""The state dashboard's share of organizations meeting each requirement of the state's law
(issue 19, item 3): counted from the cached item results, each organization once at its latest
shared assessment, with the small-number rule (withheld under K, complementary suppression
within a requirement and against the view one level up), in the page, the XLSX and the PDF.

Washington: ten districts share with the advocate; what they wrote about SROs and discipline
(RCW 28A.320.124(1)(a), the item ``mou-no-discipline-role`` on the written-policy side) is
chosen per district, so every count is known. K = 3.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from openpyxl import load_workbook
from pypdf import PdfReader
from reports_fixtures import make_assessment
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemState
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.tally import check_sets, outcome_counts, tally_counted
from rubric_app.models import Organization
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.states import resolved
from rubric_app.states.law_rollup import framework_shares, outcome_groups
from rubric_app.states.rollup import Filters, Scope

LOCAL = "secure-local-implementation"
WA_LAW = "wa-rcw-28a-320-124"
DISCIPLINE = "RCW 28A.320.124(1)(a)"
ADVOCATE = "advocate@wa.example.org"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": 3}


def _states(session: Session, discipline: str | None) -> dict[str, ItemState]:
    """Every yes/no gate answered yes (so the items show) and the discipline item's policy
    side at ``discipline`` (None: not answered)."""
    version = latest_version(session, LOCAL)
    assert version is not None
    states = {
        item.id: ItemState(values={"value": "yes"})
        for item in rubric_of(version).items
        if item.type == "yes_no"
    }
    if discipline is not None:
        states["mou-no-discipline-role"] = ItemState(
            values={"policy": discipline, "practice": "fully"}
        )
    return states


def _district(
    session: Session,
    advocate: Organization,
    name: str,
    discipline: str | None,
    *,
    state: str = "WA",
    period: str = "2025-26",
    org: Organization | None = None,
    **attrs: str,
) -> Organization:
    org = org or make_org(session, name, state=state, **attrs)
    owner = make_user(session, f"owner-{org.id}-{period}@example.org", org)
    assessment = make_assessment(
        session, org, owner, period=period, states=_states(session, discipline)
    )
    share_assessment(session, assessment, advocate, by=owner)
    session.commit()
    return org


@pytest.fixture
def washington(session: Session) -> Organization:
    """Rural: 4 meet it, 3 partly. Town: 2 meet it, 1 does not."""
    advocate = make_org(session, "Washington Youth Advocates", kind="state_advocate", state="WA")
    make_user(session, ADVOCATE, advocate)
    for index in range(4):
        _district(session, advocate, f"Rural Met {index}", "fully", locale="rural")
    for index in range(3):
        _district(session, advocate, f"Rural Partly {index}", "partly", locale="rural")
    for index in range(2):
        _district(session, advocate, f"Town Met {index}", "fully", locale="town")
    _district(session, advocate, "Town Not Met", "not-in-place", locale="town")
    return advocate


def _law_rows(page: str) -> dict[str, list[str]]:
    """The law table's rows by citation: the four outcome cells as text."""
    table = re.search(r'<table class="law-share-table">(.*?)</table>', page, re.S)
    assert table is not None, "no law table"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        citation = cells[0].split(":")[0].strip()
        rows[citation] = cells[1:]
    return rows


SMALL = "Hidden to protect privacy: fewer than 3 organizations"
COMPLEMENT = "Hidden to protect privacy: shown beside the other figures"


def test_dashboard_shows_the_share_meeting_each_requirement(
    client: FlaskClient, washington: Organization
) -> None:
    signin(client, ADVOCATE)
    page = client.get("/states/WA/dashboard").get_data(as_text=True)
    assert "Washington's law: organizations meeting each requirement" in page
    assert "This is not legal advice" in page
    assert f'href="/frameworks/{WA_LAW}"' in page
    assert "Each of the 10 organizations is counted once" in page
    rows = _law_rows(page)
    assert rows["Requirement"] == ["Met", "Partly met", "Not met", "Cannot tell"], rows
    assert DISCIPLINE in rows, rows
    met, partly, not_met, cannot_tell = rows[DISCIPLINE]
    # 6 met, 3 partly, 1 not met: the 1 is withheld, and since 1 alone could be worked out
    # from the total, the next smallest (3) is withheld with it.
    assert met == "60% (6)"
    assert partly.startswith(COMPLEMENT)
    assert not_met == SMALL
    assert cannot_tell == "0% (0)"
    # A requirement whose item nobody answered: every district cannot tell.
    assert rows["RCW 28A.320.124(1)(d)"][3] == "100% (10)"


def test_a_count_that_the_view_one_level_up_would_give_away_is_withheld(
    client: FlaskClient, washington: Organization
) -> None:
    """Rural alone: 4 met, 3 partly, both at least K. But all locales show 6 met, so showing
    the rural 4 would give the town's 2 away: the rural "met" is withheld too."""
    signin(client, ADVOCATE)
    rural = _law_rows(client.get("/states/WA/dashboard?locale=rural").get_data(as_text=True))
    met, partly, not_met, cannot_tell = rural[DISCIPLINE]
    assert met.startswith(COMPLEMENT)
    assert partly == "43% (3)"
    assert (not_met, cannot_tell) == ("0% (0)", "0% (0)")


def test_exports_carry_the_state_law(client: FlaskClient, washington: Organization) -> None:
    signin(client, ADVOCATE)
    response = client.get("/states/WA/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["State law"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    found = {
        row[header.index("Outcome")]: dict(zip(header, row, strict=True))
        for row in rows[1:]
        if row[header.index("Citation")] == DISCIPLINE
    }
    assert found["Met"]["Organizations"] == 6
    assert found["Met"]["Share"] == pytest.approx(0.6)
    assert found["Met"]["Organizations counted"] == 10
    # Withheld: an empty number cell and the reason in the note, never the count.
    assert found["Not met"]["Organizations"] is None
    assert found["Not met"]["Share"] is None
    assert found["Not met"]["Note"] == SMALL
    assert found["Partly met"]["Organizations"] is None

    pdf = client.get("/states/WA/summary.pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "Washington's law: organizations meeting each requirement" in text
    assert "This is not legal advice" in text
    assert re.search(r"60% \(6\)", text)


def test_a_state_with_no_framework_says_so(client: FlaskClient, session: Session) -> None:
    advocate = make_org(session, "Oregon Youth Advocates", kind="state_advocate", state="OR")
    make_user(session, "advocate@or.example.org", advocate)
    for index in range(3):
        _district(session, advocate, f"Oregon District {index}", "fully", state="OR")
    signin(client, "advocate@or.example.org")
    page = client.get("/states/OR/dashboard").get_data(as_text=True)
    assert "No framework encodes Oregon's law" in page
    assert 'class="law-share-table"' not in page


def test_an_empty_view_does_not_blame_the_rubric(
    client: FlaskClient, washington: Organization
) -> None:
    """No district shared without SROs: the law cannot be checked because nothing matches,
    not because the local implementation rubric (the one shown) maps no question to it."""
    signin(client, ADVOCATE)
    page = client.get("/states/WA/dashboard?sro_model=none").get_data(as_text=True)
    assert "No shared assessment matches these filters." in page
    assert "no question of this rubric is mapped" not in page
    assert "Choose the local implementation rubric" not in page
    pdf = PdfReader(io.BytesIO(client.get("/states/WA/summary.pdf?sro_model=none").data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "No shared assessment matches these filters" in text
    assert "no question of this rubric is mapped" not in text


def test_each_organization_counts_once_at_its_latest_assessment(
    app: Any, session: Session, washington: Organization
) -> None:
    """Over all periods, a district with an older "not in place" and a newer "fully in place"
    counts once, as met; unanswered and N/A count as "cannot tell"."""
    town = session.query(Organization).filter_by(name="Town Not Met").one()
    _district(session, washington, "", "fully", org=town, period="2026-27")
    _district(session, washington, "Unanswered District", None, locale="town")
    with app.app_context():
        law = current_frameworks().frameworks[WA_LAW]
        version = latest_version(session, LOCAL)
        assert version is not None
        shares = framework_shares(
            session, Scope(washington.id, "WA", LOCAL, Filters()), law, rubric_of(version), 1
        )
    assert shares.organizations == 11
    discipline = next(r for r in shares.requirements if r.citation == DISCIPLINE)
    counts = {share.outcome: share.figure.n for share in discipline.shares}  # type: ignore[union-attr]
    assert counts == {"met": 7, "partly": 3, "not-met": 0, "cannot-tell": 1}


@pytest.mark.parametrize(
    "filters",
    [
        Filters(period="2025-26"),
        Filters(period="2026-27"),
        Filters(locale="town"),
        Filters(locale="rural", period="2025-26"),
        Filters(period="2026-27", locale="town"),
    ],
)
def test_a_filtered_view_counts_as_its_own_query_would(
    app: Any, session: Session, washington: Organization, filters: Filters
) -> None:
    """A filtered view's counts are taken from the breakdown one level up (the cell of its own
    value), from the dashboard's base rows or not: they equal what the view's own grouped
    query finds, over two periods in which some districts answered differently."""
    for name, discipline in (("Town Not Met", "fully"), ("Rural Met 0", "not-in-place")):
        org = session.query(Organization).filter_by(name=name).one()
        _district(session, washington, "", discipline, org=org, period="2026-27")
    _district(session, washington, "Town Later", "partly", locale="town", period="2026-27")
    scope = Scope(washington.id, "WA", LOCAL, filters)
    with app.app_context():
        law = current_frameworks().frameworks[WA_LAW]
        version = latest_version(session, LOCAL)
        assert version is not None
        rubric = rubric_of(version)
        sets = check_sets(law, rubric)
        own = outcome_groups(session, scope, sets).get(None, [])
        shares = framework_shares(session, scope, law, rubric, 1)
        # The dashboard hands over the base it read: on PostgreSQL each group with one
        # assessment per organization is then taken from those rows, by id.
        from_rows = framework_shares(
            session, scope, law, rubric, 1, rows=resolved.base_of(session, scope)
        )
    assert from_rows == shares
    assert own, "the view has organizations"
    assert shares.organizations == sum(n for _, n in own)
    discipline = next(r for r in shares.requirements if r.citation == DISCIPLINE)
    counts = {share.outcome: share.figure.n for share in discipline.shares}  # type: ignore[union-attr]
    position = next(i for i, r in enumerate(law.requirements) if r.citation == DISCIPLINE)
    expected = outcome_counts(tally_counted(sets, own)[position])
    assert counts == {outcome: expected[outcome] for outcome in counts}
