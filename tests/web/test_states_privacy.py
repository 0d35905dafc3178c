"""The small-number rule holds across views: nothing about a group under K can be worked out.

A state of 36 organizations with uneven profiles (small locales, blank fields, two periods, some
organizations in both) shares with its advocate. Every view the dashboard serves that sets up to
two filters besides its period (each view is one period) is built; for each, what it shows is
checked against ground truth read straight from the tables (not through the roll-up code):

- a view that shows anything holds at least K organizations, and never names one that did not
  agree to be named;
- for every pair of views that differ in one filter and are both shown, the organizations that
  the difference stands for are none or at least K: for the view's totals, for every item figure
  shown in both, and for every histogram band shown in both;
- inside one view, the hidden histogram bands add up to none or at least K organizations;
- the shown children of a view add up to its total or leave at least K organizations over.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import share_assessment
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, ItemResult, Organization, SectionScoreRow, Share
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import Suppressed, histogram_of_counts
from rubric_app.states.rollup import Filters, Scope
from rubric_app.states.view_data import Dashboard, build_dashboard

K = 5
RUBRIC = "secure-local-implementation"
PERIODS = ("2024-25", "2025-26")
ADVOCATE = "advocate@nm.example.org"
#: Each filter and the values a view can choose ("" = any).
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": ("district", "afterschool_program"),
    "enrollment_band": ("under_1k", "1k_5k", "5k_25k", "over_25k"),
    "locale": ("city", "suburb", "town", "rural"),
    "sro_model": ("none", "local_police", "sheriff", "mixed"),
    "period": PERIODS,
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SUPPRESSION_K": K}


@pytest.fixture
def state(session: Session) -> Organization:
    """New Mexico: 36 organizations with uneven profiles, one or two periods each."""
    rng = random.Random(17)
    advocate = make_org(session, "New Mexico Youth Advocates", kind="state_advocate", state="NM")
    make_user(session, ADVOCATE, advocate)
    version = latest_version(session, RUBRIC)
    assert version is not None
    rubric = rubric_of(version)
    # Weighted so that some groups are small: few towns, few large districts, blank fields.
    locales = ["city"] * 5 + ["suburb"] * 4 + ["rural"] * 4 + ["town"] * 1 + [""]
    bands = ["under_1k"] * 4 + ["1k_5k"] * 4 + ["5k_25k"] * 2 + ["over_25k"] + [""]
    models = ["local_police"] * 5 + ["sheriff"] * 3 + ["none"] + ["mixed"] + [""]
    for index in range(36):
        kind = "afterschool_program" if index % 6 == 5 else "district"
        profile = {
            "locale": rng.choice(locales),
            "enrollment_band": rng.choice(bands),
            "sro_model": rng.choice(models),
        }
        org = make_org(
            session,
            f"NM Organization {index:02d}",
            kind=kind,
            state="NM",
            **{key: value for key, value in profile.items() if value},
        )
        user = make_user(session, f"owner{index}@nm.example.org", org)
        periods = PERIODS if index % 3 else PERIODS[1:]
        for period in periods:
            assessment = start_assessment(
                session, org=org, version=version, title="Review", period=period, user=user
            )
            answers = generate_states(rubric, rng, rng.uniform(0.2, 0.9), completion=0.8)
            changes = [ItemChange(i, s, None) for i, s in answers.items()]
            save_items(session, assessment, changes, user=user)
            submit(session, assessment, user=user)
            share_assessment(session, assessment, advocate, by=user, named=index % 4 != 0)
    session.commit()
    return advocate


def _views() -> Iterator[Filters]:
    """Every view the dashboard serves that sets up to two filters besides its period (a view
    always sets one period: there is no all-periods view)."""
    others = [name for name in CHOICES if name != "period"]
    for period in PERIODS:
        yield Filters(period=period)
        for name in others:
            for value in CHOICES[name]:
                yield Filters(period=period, **{name: value})
        for first, second in itertools.combinations(others, 2):
            for a, b in itertools.product(CHOICES[first], CHOICES[second]):
                yield Filters(period=period, **{first: a, second: b})


def _parents(filters: Filters) -> Iterator[tuple[str, Filters]]:
    """The views one level up that the dashboard serves: each set filter but the period
    cleared in turn."""
    for f in fields(filters):
        if f.name != "period" and getattr(filters, f.name):
            yield f.name, Filters(**{**filters.as_params(), f.name: ""})


class Truth:
    """Ground truth read straight from the tables: which assessments each view holds."""

    def __init__(self, session: Session, advocate: Organization) -> None:
        rows = session.execute(
            select(
                Assessment.id,
                Assessment.org_id,
                Assessment.period,
                Organization.kind,
                Organization.enrollment_band,
                Organization.locale,
                Organization.sro_model,
                Organization.name,
                Share.named_in_lists,
            )
            .join(Organization, Organization.id == Assessment.org_id)
            .join(Share, Share.assessment_id == Assessment.id)
            .where(Share.to_org_id == advocate.id, Assessment.rubric_key == RUBRIC)
        ).all()
        self.rows = {row[0]: row for row in rows}
        self.org_of = {row[0]: row[1] for row in rows}
        self.unnamed = {row[7] for row in rows if not row[8]}
        self.rated: dict[tuple[str, str], set[int]] = {}
        for assessment_id, item_id, dimension in session.execute(
            select(ItemResult.assessment_id, ItemResult.item_id, ItemResult.dimension)
        ):
            self.rated.setdefault((item_id, dimension), set()).add(assessment_id)
        self.scores: dict[tuple[str, str], dict[int, float]] = {}
        for assessment_id, section, dimension, percent in session.execute(
            select(
                SectionScoreRow.assessment_id,
                SectionScoreRow.section_id,
                SectionScoreRow.dimension,
                SectionScoreRow.percent,
            ).where(SectionScoreRow.percent.is_not(None))
        ):
            self.scores.setdefault((section, dimension), {})[assessment_id] = percent

    def assessments(self, filters: Filters) -> set[int]:
        wanted = filters.as_params()
        columns = {"period": 2, "kind": 3, "enrollment_band": 4, "locale": 5, "sro_model": 6}
        return {
            aid
            for aid, row in self.rows.items()
            if all(row[columns[name]] == value for name, value in wanted.items())
        }

    def orgs(self, assessment_ids: set[int]) -> set[int]:
        return {self.org_of[aid] for aid in assessment_ids}

    def band_members(self, key: tuple[str, str], assessment_ids: set[int]) -> list[set[int]]:
        """The organizations in each histogram band of one score, over these assessments."""
        scores = self.scores.get(key, {})
        bands: list[set[int]] = [set() for _ in histogram_of_counts([])]
        for aid in assessment_ids & set(scores):
            for index, bin_ in enumerate(histogram_of_counts([(scores[aid], 1)])):
                if bin_.count:
                    bands[index].add(self.org_of[aid])
        return bands


def _small(n: int) -> bool:
    return 0 < n < K


def _build(session: Session, advocate: Organization, filters: Filters) -> Dashboard:
    return build_dashboard(session, Scope(advocate.id, "NM", RUBRIC, filters), K)


def _shown_items(dashboard: Dashboard) -> dict[tuple[str, str], float | None]:
    return {
        (fig.item_id, fig.dimension): fig.full_share.value
        for section in dashboard.sections
        for line in section.items
        for fig in line.figures
        if not fig.full_share.suppressed
    }


def _shown_bands(dashboard: Dashboard) -> dict[str, dict[int, int]]:
    return {
        row.key: {i: bin_.count for i, (bin_, fig) in enumerate(row.bins) if not fig.suppressed}
        for row in dashboard.distributions
        if row.shown
    }


#: Distribution row keys -> the cached score they draw (see dashboard._assemble).
def _score_key(row_key: str) -> tuple[str, str]:
    if row_key == "_overall":
        return ("_overall", "_all")
    if row_key.startswith("_overall:"):
        return ("_overall", row_key.split(":", 1)[1])
    return (row_key, "_all")


def test_no_view_or_pair_of_views_reveals_a_small_group(
    session: Session, state: Organization
) -> None:
    truth = Truth(session, state)
    built = {filters: _build(session, state, filters) for filters in _views()}
    shown = {f: d for f, d in built.items() if d.withheld is None}
    withheld = {f: d for f, d in built.items() if d.withheld is not None}
    # The data set is uneven enough that the rule has work to do, both ways.
    assert len(shown) > 20
    assert len(withheld) > 20
    assert any(d.withheld.because == "complement" for d in withheld.values())

    for filters, dashboard in withheld.items():
        # Nothing about a withheld group: no counts, no figures, no rows.
        assert dashboard.organizations is None, filters
        assert dashboard.assessments is None, filters
        parts = ("distributions", "sections", "participation")
        for part in (*parts, "top_gaps", "paper_practice"):
            assert getattr(dashboard, part) == (), (filters, part)
        # No rows either: its participants list holds nobody (the page reads none for it).
        assert dashboard.listed == 0, filters
        assert "(n=" not in dashboard.withheld.reason, filters

    for filters, dashboard in shown.items():
        mine = truth.assessments(filters)
        assert dashboard.organizations == len(truth.orgs(mine)), filters
        assert not _small(len(truth.orgs(mine))), filters
        # Inside a view (one period: one score per organization): the organizations shown
        # beside a histogram minus its shown bands are none or at least K.
        for row in dashboard.distributions:
            if row.shown:
                hidden = row.n - sum(b.count for b, fig in row.bins if not fig.suppressed)
                assert not _small(hidden), (filters, row.key)
        for name, parent in _parents(filters):
            if parent not in shown:
                continue
            theirs = truth.assessments(parent)
            # The difference of the two totals stands for these organizations.
            assert not _small(len(truth.orgs(theirs - mine))), (filters, name)
            # Item figures shown in both views.
            mine_items, their_items = _shown_items(dashboard), _shown_items(shown[parent])
            for key in mine_items.keys() & their_items.keys():
                rated = truth.rated.get(key, set())
                group = truth.orgs((theirs - mine) & rated)
                assert not _small(len(group)), (filters, name, key)
            # Histogram bands shown in both views.
            mine_bands, their_bands = _shown_bands(dashboard), _shown_bands(shown[parent])
            for row_key in mine_bands.keys() & their_bands.keys():
                both = mine_bands[row_key].keys() & their_bands[row_key].keys()
                members = truth.band_members(_score_key(row_key), theirs - mine)
                for index in both:
                    assert not _small(len(members[index])), (filters, name, row_key, index)


def test_shown_children_never_leave_a_small_remainder(
    session: Session, state: Organization
) -> None:
    """Adding up every shown value of one filter and subtracting it from the total is safe."""
    truth = Truth(session, state)
    for period in PERIODS:
        for name, values in CHOICES.items():
            if name == "period":
                continue
            whole = truth.orgs(truth.assessments(Filters(period=period)))
            covered: set[int] = set()
            for value in values:
                filters = Filters(period=period, **{name: value})
                if _build(session, state, filters).withheld is None:
                    covered |= truth.orgs(truth.assessments(filters))
            assert not _small(len(whole - covered)), (period, name)


def test_participants_name_only_organizations_that_agreed(
    client: FlaskClient, app: Flask, session: Session, state: Organization
) -> None:
    truth = Truth(session, state)
    assert truth.unnamed  # a quarter of the organizations did not agree
    signin(client, ADVOCATE)
    texts = [
        client.get(f"/states/NM/dashboard?period={period}&page={page}").get_data(as_text=True)
        for page in range(1, 4)
        for period in PERIODS
    ]
    texts += [
        client.get(f"/states/NM/export.csv?period={period}").get_data(as_text=True)
        for period in PERIODS
    ]
    joined = " ".join(texts)
    assert "NM Organization 01" in joined
    for name in truth.unnamed:
        assert name not in joined
    assert "Unnamed organization" in joined
    # Nor does their profile leave the database: a rare one would name them as surely.
    for text in texts[-len(PERIODS) :]:
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        unnamed = [row for row in rows if row["organization"].startswith("Unnamed")]
        named = [row for row in rows if not row["organization"].startswith("Unnamed")]
        assert unnamed
        assert named
        for row in unnamed:
            assert (row["enrollment_band"], row["locale"], row["sro_model"]) == ("", "", "")
        assert any(row["locale"] for row in named)
    listed = [
        row
        for page in texts[: -len(PERIODS)]
        for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S)
        if "Unnamed organization" in row
    ]
    assert listed
    for row in listed:
        assert 'data-label="Locale">—<' in row, row


def test_exports_of_a_withheld_view_hold_nothing(
    client: FlaskClient, session: Session, state: Organization
) -> None:
    truth = Truth(session, state)
    small = next(
        filters
        for filters in _views()
        if _build(session, state, filters).withheld is not None and truth.assessments(filters)
    )
    query = "&".join(f"{k}={v}" for k, v in small.as_params().items())
    signin(client, ADVOCATE)
    page = client.get(f"/states/NM/dashboard?{query}").get_data(as_text=True)
    assert "Nothing is shown for these filters" in page
    for export in ("export.csv", "export.xlsx"):
        response = client.get(f"/states/NM/{export}?{query}")
        assert response.status_code == 302
        assert "/states/NM/dashboard" in response.headers["Location"]


def test_no_view_spans_periods_so_a_small_period_cannot_be_subtracted_out(
    client: FlaskClient, session: Session, state: Organization
) -> None:
    """One organization has already shared next period's review. Had the dashboard a view of
    every period, "every period" minus the default period would be that one organization
    (its totals and its state-law outcomes), since most organizations take part in several
    periods. Asking for every period gives the default period, no total spans periods (not
    even beside the rubric's name), and the lone period shows no count."""
    version = latest_version(session, RUBRIC)
    assert version is not None
    lone = make_org(session, "NM Early Bird Schools", state="NM", locale="city")
    user = make_user(session, "owner@earlybird.example.org", lone)
    assessment = start_assessment(
        session, org=lone, version=version, title="Review", period="2026-27", user=user
    )
    answers = generate_states(rubric_of(version), random.Random(3), 0.5, completion=0.9)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in answers.items()], user=user)
    submit(session, assessment, user=user)
    share_assessment(session, assessment, state, by=user, named=True)
    session.commit()
    truth = Truth(session, state)
    default = truth.orgs(truth.assessments(Filters(period=PERIODS[1])))
    every = truth.orgs(set(truth.rows))
    assert len(every - default) == 1  # the group a view of every period would give away

    signin(client, ADVOCATE)
    for query in ("?period=", ""):
        page = " ".join(client.get(f"/states/NM/dashboard{query}").get_data(as_text=True).split())
        assert "All periods" not in page
        assert f'<option value="{PERIODS[1]}" selected>' in page
        assert f"from {len(default)} organizations" in page
        assert f"from {len(every)} organizations" not in page
        assert " shared)" not in page  # no count beside the rubric, across periods
        assert "NM Early Bird Schools" not in page
    lone_view = client.get("/states/NM/dashboard?period=2026-27").get_data(as_text=True)
    assert "Nothing is shown for these filters" in lone_view
    exported = client.get("/states/NM/export.csv?period=").get_data(as_text=True)
    assert "2026-27" not in exported
    assert PERIODS[0] not in exported


def test_an_empty_view_under_a_withheld_one_reads_as_withheld(
    session: Session, state: Organization
) -> None:
    """ "None" beside "fewer than 5" for the values of a filter would tell which values a
    withheld group holds: an empty view one filter below a withheld view is withheld too,
    while an empty view whose every parent is shown says it is empty."""
    truth = Truth(session, state)
    built = {filters: _build(session, state, filters) for filters in _views()}
    empty_under_withheld = empty_under_shown = 0
    for filters, dashboard in built.items():
        if truth.assessments(filters):
            continue
        parents = [built[parent] for _, parent in _parents(filters) if parent in built]
        if any(parent.withheld is not None for parent in parents):
            empty_under_withheld += 1
            assert dashboard.withheld is not None, filters
            assert dashboard.organizations is None, filters
        elif parents:
            empty_under_shown += 1
            assert dashboard.withheld is None, filters
            assert dashboard.organizations == 0, filters
    # The state has both kinds, so neither branch above is vacuous.
    assert empty_under_withheld
    assert empty_under_shown


def test_a_view_filtered_by_profile_lists_no_unnamed_organization(
    client: FlaskClient, app: Flask, session: Session, state: Organization
) -> None:
    """A row listed under "rural" says "rural"; beside the unfiltered list, where the same row
    shows its score, the two would tie the profile to the score. So a view filtered by
    enrollment, locale or SRO staffing lists and exports only organizations that agreed to be
    named, and says how many it counts without listing them."""
    truth = Truth(session, state)
    signin(client, ADVOCATE)
    checked = 0
    for filters in _views():
        if not any(getattr(filters, name) for name in ("enrollment_band", "locale", "sro_model")):
            continue
        ids = truth.assessments(filters)
        unnamed = {aid for aid in ids if not truth.rows[aid][8]}
        if not unnamed or _build(session, state, filters).withheld is not None:
            continue
        checked += 1
        query = "&".join(f"{k}={v}" for k, v in filters.as_params().items())
        page = client.get(f"/states/NM/dashboard?{query}&page=1").get_data(as_text=True)
        assert "Unnamed organization" not in page, filters
        said = " ".join(page.split())
        assert f"{len(unnamed)} of them, from organizations that did not agree to be named" in said
        listed = len(re.findall(r'<td data-label="Organization">', page))
        assert listed == min(len(ids) - len(unnamed), app.config["PAGE_SIZE"]), filters
        exported = client.get(f"/states/NM/export.csv?{query}").get_data(as_text=True)
        rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
        assert not [row for row in rows if row["organization"].startswith("Unnamed")], filters
        assert {row["organization"] for row in rows} == {
            truth.rows[aid][7] for aid in ids - unnamed
        }, filters
    assert checked


def _main_of(page: str) -> str:
    """The page's main part without what says which filters were chosen."""
    main = re.search(r"<main.*?</main>", page, flags=re.S)
    assert main is not None
    text = re.sub(r"<input[^>]*csrf[^>]*>", "", main.group(0))
    return text.replace(" selected>", ">")


def test_an_empty_withheld_view_reads_exactly_as_a_small_one(
    client: FlaskClient, session: Session, state: Organization
) -> None:
    """Withheld is withheld: an empty view under a withheld one must not give itself away by
    anything on the page (its title was the rubric's key, since no assessment named it)."""
    truth = Truth(session, state)
    small: dict[tuple[str, ...], Filters] = {}
    empty: dict[tuple[str, ...], Filters] = {}
    for filters in _views():
        names = tuple(sorted(filters.as_params()))
        withheld = _build(session, state, filters).withheld
        # "Fewer than 5" (not "would reveal a group", which an empty view never reads).
        if withheld is None or withheld.because != Suppressed(k=K).because:
            continue
        (empty if not truth.assessments(filters) else small).setdefault(names, filters)
    pairs = [(small[names], empty[names]) for names in small.keys() & empty.keys()]
    assert pairs
    signin(client, ADVOCATE)
    for one, other in pairs:
        pages = [
            _main_of(
                client.get(f"/states/NM/dashboard?{urlencode(f.as_params())}").get_data(
                    as_text=True
                )
            )
            for f in (one, other)
        ]
        assert pages[0] == pages[1], (one, other)
