"""Findings first: the dashboard's findings, peer groups and trend, and the summary PDFs.

A Maine whose scores are known by construction. In 2025-26, 21 districts share: 6 city,
7 suburb, 5 rural, 3 town. In every assessment, step 3 has every item at the lowest level
(median 0 %). In 2024-25, the 6 city districts, 5 of the suburb ones and 2 of the rural ones share
too, with step 1 at the highest level everywhere; in 2025-26 step 1 is ordinary, so step 1 fell
most. With K = 5 (the rule: docs/privacy.md):

- in 2025-26, town (3) is hidden, and so is rural (5), the smallest locale left, since the hidden
  ones together must hold at least K; city and suburb are shown;
- in 2024-25, rural (2) is hidden and so is suburb (5), for the same reason: the suburb view of
  2025-26 has no change finding, the city one has.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from pypdf import PdfReader
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, ItemState, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.models import Organization
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import Figure, Suppressed
from rubric_app.states import findings
from rubric_app.states.rollup import Filters, Scope
from rubric_app.states.view_data import build_dashboard

K = 5
RUBRIC = "secure-local-implementation"
ADVOCATE = "advocate@me.example.org"
ADVOCATE_ORG = "Pine Tree Youth Justice Network"
LOCALES = {"city": 6, "suburb": 7, "rural": 5, "town": 3}
#: How many of each locale's districts also share an assessment of 2024-25.
EARLIER = {"city": 6, "suburb": 5, "rural": 2}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": K}


def _at(rubric: Rubric, states: dict[str, ItemState], section_index: int, top: bool) -> None:
    """Set every scored item of one section to its lowest (or highest) level."""
    for item in rubric.sections[section_index].items:
        scale = rubric.scale_of(item)
        if scale is None or not item.dimensions or item.type == "yes_no":
            continue
        options = sorted(scale.options, key=lambda option: option.points)
        chosen = options[-1] if top else options[0]
        states[item.id] = ItemState(values=dict.fromkeys(item.dimensions, chosen.key))


@pytest.fixture
def maine(session: Session) -> Organization:
    advocate = make_org(session, ADVOCATE_ORG, kind="state_advocate", state="ME")
    make_user(session, ADVOCATE, advocate)
    version = latest_version(session, RUBRIC)
    assert version is not None
    rubric = rubric_of(version)
    rng = random.Random(5)
    for locale, count in LOCALES.items():
        for index in range(count):
            org = make_org(session, f"{locale.title()} District {index}", state="ME", locale=locale)
            user = make_user(session, f"owner-{locale}{index}@me.example.org", org)
            periods = ["2025-26"]
            if index < EARLIER.get(locale, 0):
                periods.append("2024-25")
            for period in periods:
                assessment = start_assessment(
                    session, org=org, version=version, title="Review", period=period, user=user
                )
                states = generate_states(rubric, rng, 0.55)
                _at(rubric, states, 2, top=False)
                if period == "2024-25":
                    _at(rubric, states, 0, top=True)
                changes = [ItemChange(i, s, None) for i, s in states.items()]
                save_items(session, assessment, changes, user=user)
                submit(session, assessment, user=user)
                share_assessment(session, assessment, advocate, by=user, named=True)
    session.commit()
    return advocate


def _scope(advocate: Organization, **filters: str) -> Scope:
    return Scope(advocate.id, "ME", RUBRIC, Filters(**filters))


def _overview(session: Session, advocate: Organization, **filters: str) -> findings.Overview:
    built = build_dashboard(session, _scope(advocate, **filters), K)
    assert built.withheld is None
    return findings.build_overview(session, built, ["2025-26", "2024-25"])


def test_findings_from_known_scores(session: Session, maine: Organization) -> None:
    overview = _overview(session, maine, period="2025-26")
    weakest, gap, change = overview.findings

    assert weakest.statement.startswith("Step 3 is the weakest action step: median 0%")
    assert "From 21 organizations" in weakest.rests_on

    assert change.statement.startswith("Step 1 changed most: its median fell ")
    assert "from 100% in 2024-25" in change.statement
    assert "From 21 organizations in 2025-26 and 13 organizations in 2024-25" in change.rests_on
    # Against the other period: from 2024-25's point of view there is nothing earlier.
    earlier = _overview(session, maine, period="2024-25").findings[2]
    assert earlier.why_not == "There is no period before 2024-25 to compare with."

    built = build_dashboard(session, _scope(maine, period="2025-26"), K)
    shown = [
        (figure.value, f.item_id)
        for f in built.paper_practice
        for figure in (f.paper_stronger, f.practice_stronger)
        if isinstance(figure, Figure) and figure.value is not None
    ]
    largest, item_id = max(shown, key=lambda pair: pair[0])
    prompt = next(f.prompt for f in built.paper_practice if f.item_id == item_id)
    assert gap.statement.startswith(f"In {largest * 100:.0f}% of assessments")
    assert gap.statement.endswith(prompt)


def test_change_needs_both_periods_shown(session: Session, maine: Organization) -> None:
    # Suburb 2025-26 is shown; suburb 2024-25 is not, so no change can be given.
    suburb = _overview(session, maine, period="2025-26", locale="suburb")
    assert suburb.findings[0].statement  # the weakest step is still there
    assert suburb.findings[2].statement == ""
    assert "No action step has a median shown both in 2025-26 and in 2024-25" in (
        suburb.findings[2].why_not
    )
    # City is shown in both: the change is there, from both periods' own figures.
    city = _overview(session, maine, period="2025-26", locale="city")
    assert city.findings[2].statement.startswith("Step 1 changed most: its median fell ")
    assert "From 6 organizations in 2025-26 and 6 organizations in 2024-25" in (
        city.findings[2].rests_on
    )
    # All periods at once: there is no "previous" period to compare with.
    assert _overview(session, maine).findings[2].why_not.startswith("Choose one period")


@pytest.mark.parametrize(
    ("now", "before", "statement"),
    [
        # 18.4% to 36.6% reads "18% to 37%": 19 points, as the reader works it out.
        ([36.6, 50.0], [18.4, 50.0], "its median rose 19 points, from 18% in 2024-25 to 37%"),
        # Step 2 moved more exactly (18.8 against 18.2), but it reads 22% to 40%, 18 points:
        # the step named is the one whose shown figures moved most.
        ([36.6, 40.4], [18.4, 21.6], "Step 1 changed most: its median rose 19 points"),
        ([50.4, 50.0], [49.6, 50.0], "its median did not move, from 50% in 2024-25 to 50%"),
    ],
)
def test_a_change_agrees_with_the_rounded_figures_beside_it(
    session: Session,
    maine: Organization,
    now: list[float],
    before: list[float],
    statement: str,
) -> None:
    built = build_dashboard(session, _scope(maine, period="2025-26"), K)
    steps = findings.steps_of(built)
    current = dict(zip([s.section_id for s in steps], now, strict=False))
    previous = dict(zip([s.section_id for s in steps], before, strict=False))
    shown = dataclasses.replace(
        built,
        distributions=tuple(
            dataclasses.replace(
                row, summary=dataclasses.replace(row.summary, median=current[row.key])
            )
            if row.summary is not None and row.key in current
            else row
            for row in built.distributions
        ),
    )
    earlier = findings.ViewSteps(
        "2024-25",
        "2024-25",
        Figure(13.0, 13),
        {key: Figure(value, 13) for key, value in previous.items()},
    )
    change = findings.largest_step_change(shown, steps, earlier)
    assert statement in change.statement
    moved = re.search(r"(rose|fell) (\d+) points?, from (\d+)% .* to (\d+)%", change.statement)
    if moved is not None:
        way, points, first, last = moved.groups()
        assert int(points) == abs(int(last) - int(first))
        assert (way == "rose") == (int(last) > int(first))


def test_a_finding_is_absent_when_its_figures_are_hidden(
    session: Session, maine: Organization
) -> None:
    built = build_dashboard(session, _scope(maine, period="2025-26"), K)
    hidden = Suppressed(k=K)
    no_pairs = dataclasses.replace(
        built,
        paper_practice=tuple(
            dataclasses.replace(f, paper_stronger=hidden, practice_stronger=hidden)
            for f in built.paper_practice
        ),
        distributions=tuple(
            dataclasses.replace(row, shown=False, summary=None, reason=hidden.reason)
            if not row.key.startswith("_overall")
            else row
            for row in built.distributions
        ),
    )
    steps = findings.steps_of(no_pairs)
    gap = findings.paper_practice_gap(no_pairs)
    assert gap.statement == ""
    assert "hidden under the small-number rule" in gap.why_not
    weakest = findings.weakest_step(no_pairs, steps)
    assert weakest.statement == ""
    assert "at least 5 organizations" in weakest.why_not
    assert findings.largest_step_change(no_pairs, steps, None).statement == ""


def test_peer_cells_are_each_locales_own_dashboard(session: Session, maine: Organization) -> None:
    overview = _overview(session, maine, period="2025-26")
    by_locale = {view.value: view for view in overview.peers}
    assert isinstance(by_locale["town"].organizations, Suppressed)  # 3 < K
    assert isinstance(by_locale["rural"].organizations, Suppressed)  # the complement
    for locale in LOCALES:
        own = build_dashboard(session, _scope(maine, period="2025-26", locale=locale), K)
        view = by_locale[locale]
        if own.withheld is not None:
            assert all(isinstance(m, Suppressed) for m in view.medians.values())
            assert len(view.medians) == 5
        else:
            assert view.organizations == Figure(float(LOCALES[locale]), LOCALES[locale])
            assert view.medians == findings.shown_medians(own)
    assert by_locale["city"].medians[overview.steps[2].section_id] == Figure(0.0, 6)


def test_dashboard_opens_with_findings_and_hides_cells(
    client: FlaskClient, maine: Organization
) -> None:
    signin(client, ADVOCATE)
    page = client.get("/states/ME/dashboard").get_data(as_text=True)
    assert page.index('id="findings"') < page.index("Filter the roll-up")
    assert "Step 3 is the weakest action step: median 0%" in page
    # Heatmap: SVG with its text alternative, and the same figures in a table.
    svg = re.search(r'<svg class="chart heatmap".*?</svg>', page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-labelledby="heatmap-title heatmap-desc"' in svg.group(0)
    assert "Step 3: City 0%, Suburb 0%, Town hidden, Rural hidden" in svg.group(0)
    # Item-level tables sit behind disclosure widgets.
    assert re.search(r'<details class="state-details">\s*<summary id="items">', page)
    assert re.search(r'<details class="state-details">\s*<summary id="paper-practice">', page)
    # Paging through participants opens their widget.
    paged = client.get("/states/ME/dashboard?page=1").get_data(as_text=True)
    assert '<details class="state-details" open>' in paged

    town = client.get("/states/ME/dashboard?locale=town").get_data(as_text=True)
    assert 'id="findings"' not in town
    assert "<svg" not in town


def _names(session: Session) -> list[str]:
    return [
        f"{locale.title()} District {index}" for locale, n in LOCALES.items() for index in range(n)
    ] + [ADVOCATE_ORG]


def test_one_page_summary_is_one_page_with_the_rule_and_no_names(
    client: FlaskClient, session: Session, maine: Organization
) -> None:
    signin(client, ADVOCATE)
    for query in ("", "?locale=city", "?locale=town", "?period="):
        response = client.get(f"/states/ME/summary-one-page.pdf{query}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(response.data))
        assert len(reader.pages) == 1, query
        text = " ".join(reader.pages[0].extract_text().split())
        assert "No figure in this summary rests on fewer than 5 organizations" in text
        assert "No organization is named." in text
        for name in _names(session):
            assert name not in text, (query, name)
    # The findings and the per-step figures are there.
    text = " ".join(
        PdfReader(io.BytesIO(client.get("/states/ME/summary-one-page.pdf").data))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "Step 3 is the weakest action step: median 0%" in text
    assert "Scores by action step" in text
    assert "Median by locale" in text


#: Running header and footer take three lines of every page after the cover.
MIN_LINES = 8
PART_TITLES = ("Findings", "Policy on paper versus practice", "Every item: share fully in place")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the PDF itself: once
def test_full_pdf_has_no_nearly_empty_pages(client: FlaskClient, maine: Organization) -> None:
    signin(client, ADVOCATE)
    for query in ("", "?period=", "?locale=suburb"):
        data = client.get(f"/states/ME/summary.pdf{query}").data
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
        assert len(pages) > 3
        for number, text in enumerate(pages):
            lines = [line for line in text.splitlines() if line.strip()]
            last_of_part = number == len(pages) - 1 or any(
                line.strip() in PART_TITLES for line in pages[number + 1].splitlines()[:4]
            )
            assert len(lines) >= MIN_LINES or last_of_part, (query, number + 1, lines)
