"""Groundwork for the report, dashboard and compare: alignment, law-required items, tallies."""

from __future__ import annotations

from pathlib import Path

import pytest
from framework_fixtures import CROSSWALK, FRAMEWORK, RUBRIC_V2, mini_rubric

from rubric_app.frameworks.alignment import align_assessments
from rubric_app.frameworks.evaluate import evaluate_framework
from rubric_app.frameworks.loader import load_crosswalk_text, load_framework_text, read_frameworks
from rubric_app.frameworks.required import items_required_by
from rubric_app.frameworks.tally import share_met, tally_outcomes
from rubric_app.rubrics.catalog import load_catalog
from rubric_app.scoring import ItemAnswer

ROOT = Path(__file__).resolve().parents[2]
V1 = mini_rubric()
V2 = mini_rubric(RUBRIC_V2)
WALK = load_crosswalk_text(CROSSWALK, "walk.yaml", {("mini", "1"): V1, ("mini", "2"): V2})
LAW = load_framework_text(FRAMEWORK, "law.yaml", {"mini": V1})


def rated(policy: str, practice: str) -> ItemAnswer:
    return ItemAnswer({"policy": policy, "practice": practice})


def test_alignment_compares_each_pair_dimension_by_dimension_across_versions() -> None:
    old = {"exists": ItemAnswer({"value": "yes"}), "no-discipline": rated("fully", "partly")}
    new = {
        "exists": ItemAnswer({"value": "yes"}),
        "mou": rated("fully", "fully"),
        "discipline-role": rated("partly", "partly"),
    }
    rows = align_assessments(WALK, V1, old, V2, new)
    assert [(r.pair.source, r.pair.target) for r in rows] == [
        ("mou", "mou"),
        ("no-discipline", "discipline-role"),
    ]
    mou, discipline = rows
    assert [d.relation for d in mou.dimensions] == ["cannot-tell", "cannot-tell"]
    assert not mou.known
    assert [
        (d.source.dimension, d.source.state, d.target.state, d.relation)
        for d in discipline.dimensions
    ] == [("policy", "full", "partial", "from-higher"), ("practice", "partial", "partial", "same")]
    assert discipline.differs
    assert discipline.known


def test_alignment_refuses_a_rubric_that_is_not_the_crosswalks() -> None:
    catalog = load_catalog(ROOT / "rubrics")
    with pytest.raises(ValueError, match="not secure-local-implementation"):
        align_assessments(WALK, catalog.rubrics["secure-local-implementation"], {}, V2, {})


def test_the_shipped_crosswalk_shows_where_a_district_differs_from_its_program() -> None:
    catalog = load_catalog(ROOT / "rubrics")
    loaded = read_frameworks(ROOT / "frameworks", catalog.rubrics)
    walk = loaded.crosswalks["afterschool-to-local-implementation"]
    program = {"no-discipline-role": rated("fully", "fully")}
    district = {
        "partnership-exists": ItemAnswer({"value": "yes"}),
        "mou-no-discipline-role": rated("not-in-place", "partly"),
    }
    rows = align_assessments(
        walk,
        catalog.rubrics[walk.source.rubric],
        program,
        catalog.rubrics[walk.target.rubric],
        district,
    )
    differing = [(r.pair.topic, r.pair.target) for r in rows if r.differs]
    assert differing == [("discipline", "mou-no-discipline-role")]


def test_items_required_by_law_name_their_requirements() -> None:
    required = items_required_by([LAW], "mini")
    assert set(required) == {"mou", "no-discipline", "exists"}
    assert [ref.requirement.id for ref in required["no-discipline"]] == ["no-discipline"]
    assert required["mou"][0].label == "Test Code § 1(a) (A test law)"
    assert items_required_by([LAW], "other") == {}


def test_tallies_count_outcomes_and_the_share_keeps_the_small_number_rule() -> None:
    fully = {"exists": ItemAnswer({"value": "yes"}), "mou": rated("fully", "fully")}
    fully["no-discipline"] = rated("fully", "not-in-place")
    none = {"exists": ItemAnswer({"value": "no"}), "no-discipline": rated("not-in-place", "fully")}
    organizations = [fully] * 4 + [none, {}]
    results = [evaluate_framework(LAW, V1, answers) for answers in organizations]
    has_mou, no_discipline = tally_outcomes(LAW, results)
    # "mou" is hidden when "exists" is no, so that organization cannot tell.
    assert (has_mou.met, has_mou.partly, has_mou.not_met, has_mou.cannot_tell) == (4, 0, 0, 2)
    assert (no_discipline.met, no_discipline.not_met, no_discipline.cannot_tell) == (4, 1, 1)
    assert share_met(no_discipline, k=5).value == pytest.approx(0.8)
    assert share_met(has_mou, k=5).suppressed  # only 4 organizations can tell
    assert share_met(has_mou, k=1).value == 1.0
