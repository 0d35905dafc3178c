"""The board summary's plain-language judgements (``scoring.board``): pure, no app."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scoring_factories import LEVELS

from rubric_app.scoring.board import (
    TOO_FEW_PEERS,
    Change,
    Headline,
    StepResult,
    StepStatus,
    board_headline,
    change_since,
    peer_benchmark,
    points_text,
    step_status,
)

BEGINNING, DEVELOPING, ESTABLISHED, EXEMPLARY = LEVELS


def _status(
    level: object, answered: int = 10, applicable: int = 10, min_coverage: float = 0.6
) -> StepStatus:
    return step_status(
        level,  # type: ignore[arg-type]
        LEVELS,
        answered=answered,
        applicable=applicable,
        min_coverage=min_coverage,
    )


def test_status_follows_the_level_in_words_and_tone() -> None:
    assert _status(BEGINNING) == StepStatus("poor", "Needs attention")
    assert _status(DEVELOPING) == StepStatus("fair", "Partly there")
    assert _status(ESTABLISHED) == StepStatus("good", "In good shape")
    assert _status(EXEMPLARY) == StepStatus("good", "In good shape")


def test_low_coverage_says_not_enough_answers_whatever_the_level() -> None:
    # 2 of 10 answered, both fully in place: a 100% that must not read as "in good shape".
    assert _status(EXEMPLARY, answered=2, applicable=10) == StepStatus(
        "unknown", "Not enough answers"
    )
    assert _status(None) == StepStatus("unknown", "Not enough answers")


def test_step_status_follows_the_reports_coverage_rule() -> None:
    # The board and the report must agree on when a score is shown: the threshold is
    # inclusive, including where min_coverage * applicable is a float a hair above the count.
    assert _status(EXEMPLARY, answered=5, applicable=10, min_coverage=0.6).tone == "unknown"
    assert _status(EXEMPLARY, answered=6, applicable=10, min_coverage=0.6).tone == "good"
    assert _status(EXEMPLARY, answered=7, applicable=10, min_coverage=0.7).tone == "good"
    assert _status(EXEMPLARY, answered=0, applicable=0).tone == "unknown"


def test_change_since_the_previous_period() -> None:
    assert change_since(63.0, 54.0, "2025-26") == Change(
        pytest.approx(9.0), "up 9 points", "up 9 points since 2025-26"
    )
    assert change_since(50.0, 51.0, "2025-26").text == "down 1 point since 2025-26"
    assert change_since(50.2, 50.0, "2025-26").short == "no change"
    assert change_since(50.0, None, None) == Change(None, "first assessment", "first assessment")
    assert change_since(50.0, None, "2025-26").text == "not rated in 2025-26"
    thin = change_since(90.0, 40.0, "2025-26", now="not-enough-answers")
    assert thin.difference is None
    assert change_since(90.0, 40.0, "2025-26", before="not-enough-answers").difference is None


def test_a_step_with_too_few_answers_says_so_instead_of_not_rated() -> None:
    """A step half answered has no percent, but "not rated now" read as if nobody answered it:
    it says what the report says, "not enough answers"."""
    half = change_since(None, 54.0, "2025-26", now="not-enough-answers")
    assert half == Change(
        None, "not enough answers now", "not enough answers now, so no comparison with 2025-26"
    )
    assert (
        change_since(61.0, None, "2025-26", before="not-enough-answers").short
        == "not enough answers then"
    )
    assert change_since(None, 54.0, "2025-26", now="nothing-applicable").short == (
        "no item applies now"
    )
    # A step the previous assessment did not score at all.
    assert change_since(61.0, None, "2025-26").short == "not rated then"


def test_points_text_rounds_and_names_the_direction() -> None:
    assert points_text(18.4) == "up 18 points"
    assert points_text(-0.4) == "no change"
    assert points_text(-2.6) == "down 3 points"


def test_peer_benchmark_with_enough_peers_gives_the_median_and_where_you_stand() -> None:
    benchmark = peer_benchmark([40.0, 50.0, 60.0, 70.0, 80.0, None], 5, own=64.0)
    assert benchmark.shown
    assert benchmark.median == 60.0
    assert benchmark.organizations == 5
    assert benchmark.text == "median 60%; this one is 4 points above"
    assert benchmark.sentence == (
        "The median of 5 similar organizations is 60%; this assessment is 4 points above it."
    )
    assert peer_benchmark([40.0, 50.0], 2, own=45.0).text == "median 45%; this one is at the median"
    below = peer_benchmark([40.0, 50.0], 2, own=30.0)
    assert below.text == "median 45%; this one is 15 points below"


def test_peer_benchmark_below_k_says_too_few_and_gives_no_count_or_figure() -> None:
    # Four peers with a score (a fifth has none): under k = 5 nothing about them is shown.
    benchmark = peer_benchmark([40.0, 50.0, 60.0, 70.0, None], 5, own=64.0)
    assert not benchmark.shown
    assert benchmark.organizations is None
    assert benchmark.text == TOO_FEW_PEERS == "too few similar organizations to compare"
    assert not any(char.isdigit() for char in benchmark.text + benchmark.sentence)


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 100)), max_size=12),
    st.integers(1, 8),
)
def test_peer_benchmark_is_shown_exactly_from_k_peers_and_lies_within_them(
    values: list[float | None], k: int
) -> None:
    rated = [value for value in values if value is not None]
    benchmark = peer_benchmark(values, k)
    assert benchmark.shown == (len(rated) >= k)
    if benchmark.shown:
        assert benchmark.median is not None
        assert min(rated) <= benchmark.median <= max(rated)
        assert benchmark.organizations == len(rated)
    else:
        assert benchmark.organizations is None


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        peer_benchmark([50.0], 0)


def _step(number: int, title: str, percent: float | None, tone: str) -> StepResult:
    return StepResult(number, title, percent, StepStatus(tone, tone))  # type: ignore[arg-type]


def test_headline_says_where_the_organization_stands_and_which_steps_lead_and_lag() -> None:
    steps = [
        _step(1, "Agreements", 80.0, "good"),
        _step(2, "Training", 30.0, "poor"),
        _step(3, "Data", 100.0, "unknown"),  # 100% on too few answers: never "furthest along"
    ]
    headline = board_headline(
        "Riverton",
        _step(0, "Overall", 55.0, "fair"),
        steps,
        change_since(55.0, 46.0, "2025-26"),
        questions_answered=40,
        questions_applicable=52,
        draft=False,
    )
    assert (
        headline.main == "Riverton has important pieces in place, with clear gaps still to close."
    )
    assert headline.details == (
        "Furthest along: step 1, “Agreements”. Furthest behind: step 2, “Training”.",
        "1 step has too few answers to judge.",
        "Overall up 9 points since 2025-26.",
    )


def _thin_headline(*, draft: bool) -> Headline:
    """The headline of a review with too few answers for a verdict (12 of 52 questions)."""
    return board_headline(
        "Riverton",
        _step(0, "Overall", 90.0, "unknown"),
        [_step(1, "Agreements", 90.0, "unknown")],
        change_since(90.0, None, None),
        questions_answered=12,
        questions_applicable=52,
        draft=draft,
    )


def test_headline_of_a_thin_draft_says_so_instead_of_a_verdict() -> None:
    headline = _thin_headline(draft=True)
    assert headline.main == "Too few questions are answered to say where Riverton stands."
    assert headline.details == (
        "This is a draft: the answers can still change.",
        "Only 12 of 52 questions are answered; finish the review for a fuller picture.",
        "This is the first assessment, so there is nothing to compare with yet.",
    )


def test_a_thin_submitted_review_is_not_told_to_finish_itself() -> None:
    """A submitted review cannot be finished any more (QA read "finish the review" on one)."""
    headline = _thin_headline(draft=False)
    assert (
        "Only 12 of 52 questions are answered; the next review can answer more for a fuller "
        "picture." in headline.details
    )
    assert not any("finish the review" in detail for detail in headline.details)
