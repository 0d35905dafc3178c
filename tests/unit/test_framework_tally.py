"""Requirement outcomes from counts of cached item results, and the shares safe to show
(issue 19, item 3: the state dashboard's law figures).

The dashboard never rebuilds an assessment: a grouped query packs, per assessment, the states
of the cached ``ItemResult`` rows the requirements read. These tests hold the pure side:
judging those states gives exactly what ``evaluate_framework`` gives on the answers (for
requirements over scored items, all the shipped ones), the tallies add up to the organizations
counted, and the shares never reveal a count under k, directly or by subtraction from the total.
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
    PAIRS_PER_CODE,
    STATE_CODES,
    CheckSet,
    RequirementTally,
    check_pairs,
    check_sets,
    counts_of_packed,
    outcome_of_counts,
    pack_states,
    shown_outcomes,
    tally_counted,
)
from rubric_app.rubrics.catalog import load_catalog
from rubric_app.scoring import ItemAnswer, is_scored_item, score_assessment

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = mini_rubric()
LAW = load_framework_text(FRAMEWORK, "law.yaml", {"mini": RUBRIC})
RATINGS = st.sampled_from(["fully", "partly", "not-in-place", None])


def _packed_counts(rows: Sequence[dict[str, Any]]) -> tuple[int, ...]:
    """What the dashboard's grouped query gives for one assessment: each pair's state packed
    (fully in place, lowest option, in between; absent without a row), then unpacked."""
    sets = check_sets(LAW, RUBRIC)
    pairs = check_pairs(sets)
    lowest = {pair for check_set in sets for pair in check_set.lowest}
    by_pair = {(r["item_id"], r["dimension"]): r for r in rows}
    states = []
    for pair in pairs:
        row = by_pair.get(pair)
        if row is None:
            states.append(STATE_CODES["absent"])
        elif row["full"]:
            states.append(STATE_CODES["full"])
        elif (row["item_id"], row["option_key"]) in lowest:
            states.append(STATE_CODES["none"])
        else:
            states.append(STATE_CODES["partial"])
    return counts_of_packed(sets, pairs, pack_states(states))


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
    counts = _packed_counts(rows)
    assert outcome_of_counts(len(has_mou.checks), *counts[0:3]) == judged["has-mou"]
    # Over a yes/no item (no shipped framework has one, see below): cannot tell.
    assert outcome_of_counts(len(no_discipline.checks), *counts[3:6]) == "cannot-tell"


@given(st.lists(st.sampled_from(sorted(STATE_CODES.values())), min_size=1, max_size=75))
def test_packed_states_unpack_to_the_same_counts(states: list[int]) -> None:
    """Any number of pairs (several packed integers past 30): the counts survive packing."""
    pairs = tuple((f"item-{i}", "policy") for i in range(len(states)))
    sets = [CheckSet("all", pairs, ()), CheckSet("odd", pairs[1::2], ())]
    codes = pack_states(states)
    assert len(codes) == -(-len(states) // PAIRS_PER_CODE)
    assert all(0 <= code < 2**63 for code in codes)
    expected: list[int] = []
    for chosen in (states, states[1::2]):
        expected += [
            sum(1 for s in chosen if s != STATE_CODES["absent"]),
            sum(1 for s in chosen if s == STATE_CODES["full"]),
            sum(1 for s in chosen if s == STATE_CODES["none"]),
        ]
    assert counts_of_packed(sets, pairs, codes) == tuple(expected)


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
    if 0 < total < k:
        # Too few counted: every outcome is withheld (and the dashboard withholds the whole view,
        # total included, by the view rule).
        assert all(s.figure.suppressed for s in shares)
        return
    # What subtracting the shown counts from the total gives away is nobody or at least k.
    assert hidden == 0 or hidden >= k
