"""Requirement outcomes from counts of cached item results, and the shares safe to show
(issue 19, item 3: the state dashboard's law figures).

The dashboard never rebuilds an assessment: a grouped query counts, per assessment, the cached
``ItemResult`` rows a requirement reads. These tests hold the pure side: judging those counts
gives exactly what ``evaluate_framework`` gives on the answers (for requirements over scored
items, all the shipped ones), the tallies add up to the organizations counted, and the shares
never reveal a count under k, directly or by subtraction from the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framework_fixtures import FRAMEWORK, mini_rubric
from hypothesis import given
from hypothesis import strategies as st

from rubric_app.assessments.score_cache import item_result_rows
from rubric_app.frameworks.evaluate import OUTCOMES, evaluate_framework
from rubric_app.frameworks.loader import load_framework_text, read_frameworks
from rubric_app.frameworks.tally import (
    CheckSet,
    RequirementTally,
    check_sets,
    outcome_of_counts,
    shown_outcomes,
    tally_counted,
)
from rubric_app.rubrics.catalog import load_catalog
from rubric_app.scoring import ItemAnswer, is_scored_item, score_assessment

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = mini_rubric()
LAW = load_framework_text(FRAMEWORK, "law.yaml", {"mini": RUBRIC})
RATINGS = st.sampled_from(["fully", "partly", "not-in-place", None])


def _counts(check_set: CheckSet, rows: Sequence[dict[str, Any]]) -> tuple[int, int, int]:
    """What the dashboard's grouped query counts for one assessment (present, full, none)."""
    read = [r for r in rows if (r["item_id"], r["dimension"]) in check_set.checks]
    lowest = [r for r in read if (r["item_id"], r["option_key"]) in check_set.lowest]
    return len(read), sum(1 for r in read if r["full"]), len(lowest)


@st.composite
def answers(draw: st.DrawFn) -> dict[str, ItemAnswer]:
    found: dict[str, ItemAnswer] = {}
    exists = draw(st.sampled_from(["yes", "no", None]))
    if exists is not None:
        found["exists"] = ItemAnswer({"value": exists})
    for item_id in ("mou", "no-discipline"):
        if draw(st.booleans()) and draw(st.booleans()):
            found[item_id] = ItemAnswer({}, not_applicable=True)
            continue
        values = {d: v for d in ("policy", "practice") if (v := draw(RATINGS)) is not None}
        if values:
            found[item_id] = ItemAnswer(values)
    return found


def test_check_sets_read_what_the_rule_names() -> None:
    has_mou, no_discipline = check_sets(LAW, RUBRIC)
    # A bare item id reads every dimension; the lowest option is "none".
    assert has_mou.checks == (("mou", "policy"), ("mou", "practice"))
    assert has_mou.lowest == (("mou", "not-in-place"),)
    # A yes/no item is never cached: its check stays in, so the dashboard cannot tell.
    assert no_discipline.checks == (("no-discipline", "policy"), ("exists", "value"))


@given(answers())
def test_counts_of_cached_results_judge_as_the_answers_do(given_answers: dict[str, Any]) -> None:
    rows = item_result_rows(0, RUBRIC, score_assessment(RUBRIC, given_answers))
    judged = {r.requirement.id: r.outcome for r in evaluate_framework(LAW, RUBRIC, given_answers)}
    has_mou, no_discipline = check_sets(LAW, RUBRIC)
    assert outcome_of_counts(len(has_mou.checks), *_counts(has_mou, rows)) == judged["has-mou"]
    # Over a yes/no item (no shipped framework has one, see below): cannot tell.
    assert outcome_of_counts(len(no_discipline.checks), *_counts(no_discipline, rows)) == (
        "cannot-tell"
    )


def test_every_shipped_requirement_reads_only_cached_items() -> None:
    """So the dashboard's outcome is the report's for every shipped framework."""
    catalog = load_catalog(ROOT / "rubrics")
    loaded = read_frameworks(ROOT / "frameworks", catalog.rubrics)
    assert loaded.frameworks
    for framework in loaded.frameworks.values():
        for requirement in framework.requirements:
            for rule in requirement.rules:
                rubric = catalog.rubrics[rule.rubric]
                for check in rule.checks:
                    item = rubric.item(check.item)
                    assert is_scored_item(rubric, item), (framework.id, requirement.id, item.id)


def test_outcome_of_counts_follows_the_evaluation_rule() -> None:
    assert outcome_of_counts(0, 0, 0, 0) == "cannot-tell"  # not covered
    assert outcome_of_counts(2, 1, 1, 0) == "cannot-tell"  # one check unknown
    assert outcome_of_counts(2, 2, 2, 0) == "met"
    assert outcome_of_counts(2, 2, 0, 2) == "not-met"
    assert outcome_of_counts(2, 2, 1, 1) == "partly"
    assert outcome_of_counts(2, 2, 0, 0) == "partly"


GROUP = st.tuples(
    st.lists(st.integers(0, 2), min_size=6, max_size=6).map(tuple), st.integers(1, 50)
)


@given(st.lists(GROUP, max_size=12))
def test_tallies_add_up_to_the_organizations_counted(groups: list[Any]) -> None:
    sets = check_sets(LAW, RUBRIC)
    # Counts as the query gives them: present at least full and none.
    normal = [
        (tuple(max(c[i : i + 3]) if i % 3 == 0 else v for i, v in enumerate(c)), n)
        for c, n in groups
    ]
    tallies = tally_counted(sets, normal)
    total = sum(n for _, n in groups)
    for tally in tallies:
        assert tally.met + tally.partly + tally.not_met + tally.cannot_tell == total


COUNTS = st.tuples(*(st.integers(0, 30) for _ in range(4)))


@given(COUNTS, st.integers(1, 12), st.sets(st.sampled_from(OUTCOMES)))
def test_shares_never_reveal_a_count_under_k(
    counts: tuple[int, int, int, int], k: int, protected: set[Any]
) -> None:
    tally = RequirementTally("r", *counts)
    total = sum(counts)
    shares = shown_outcomes(tally, k, protected)
    by_outcome = dict(zip(OUTCOMES, counts, strict=True))
    assert [s.outcome for s in shares] == list(OUTCOMES)
    hidden = 0
    for share in shares:
        count = by_outcome[share.outcome]
        if share.figure.suppressed:
            hidden += count
            continue
        # Shown: the count is nobody or at least k, and the share is of the total counted.
        assert count == 0 or count >= k
        assert share.figure.n == count
        assert share.figure.value == (count / total if total else None)
        assert share.outcome not in protected or count == 0
    # What subtracting the shown counts from the total gives away is nobody or at least k.
    assert hidden == 0 or hidden >= k
    if 0 < total < k:
        assert all(s.figure.suppressed for s in shares)
