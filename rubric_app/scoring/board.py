"""The board summary's judgements in plain words: step status, coverage, change, peers, headline.

A school board member reads one page and should come away with what matters, without the
rubric's vocabulary. These pure functions turn figures the scoring core already computed
(percents, levels, answered/applicable counts) into words, so the page, its PDF and the full
report's first page say the same thing:

- ``step_status``: a tone (for colour) *and* a label (the words carry the meaning; the colour
  only repeats it), from where the level sits among the rubric's levels;
  a step whose score ``scoring.coverage`` would not show reads "not enough answers";
- ``change_since``: points up or down since the previous period, or "first assessment";
- ``peer_benchmark``: the median of similar organizations, withheld below the small-number
  rule's ``k`` (the same ``SUPPRESSION_K`` the state dashboard uses, ``docs/privacy.md``);
- ``board_headline``: the sentence at the top, and the few that follow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rubric_app.rubrics.model import Level

from .aggregate import quantile
from .compare import direction_of
from .coverage import NOT_ENOUGH_ANSWERS, Coverage, CoverageStatus

__all__ = [
    "Change",
    "Headline",
    "PeerBenchmark",
    "StepResult",
    "StepStatus",
    "Tone",
    "board_headline",
    "change_since",
    "peer_benchmark",
    "points_text",
    "step_status",
]

Tone = Literal["good", "fair", "poor", "unknown"]


@dataclass(frozen=True)
class StepStatus:
    """How a step stands, as a tone (styled by colour) and the words that say the same."""

    tone: Tone
    label: str


#: The words of each tone. The label alone must carry the meaning: colour only repeats it.
STATUS_LABELS: dict[Tone, str] = {
    "good": "In good shape",
    "fair": "Partly there",
    "poor": "Needs attention",
    "unknown": "Not enough answers",
}


def step_status(
    level: Level | None,
    levels: Sequence[Level],
    *,
    answered: int,
    applicable: int,
    min_coverage: float,
) -> StepStatus:
    """Return a step's status: "not enough answers" when coverage is low, else by level.

    The level's position among the rubric's levels (lowest 0, highest 1) decides: the lowest
    third needs attention, the middle third is partly there, the top third is in good shape.
    With the SECURe rubrics' four levels that is Beginning / Developing / Established and
    Exemplary.
    """
    if level is None or not Coverage(answered, applicable, min_coverage).enough:
        return StepStatus("unknown", STATUS_LABELS["unknown"])
    ids = [candidate.id for candidate in levels]
    if level.id not in ids or len(ids) == 1:
        position = 1.0 if level.id in ids else 0.0
    else:
        position = ids.index(level.id) / (len(ids) - 1)
    tone: Tone = "poor" if position < 1 / 3 else "fair" if position < 2 / 3 else "good"
    return StepStatus(tone, STATUS_LABELS[tone])


def points_text(difference: float) -> str:
    """Return a difference in percentage points as words: "up 9 points", "no change"."""
    direction = direction_of(difference)
    if direction == "same":
        return "no change"
    points = round(abs(difference))
    unit = "point" if points == 1 else "points"
    return f"{'up' if direction == 'better' else 'down'} {points} {unit}"


@dataclass(frozen=True)
class Change:
    """The change of one score since the previous period."""

    #: None when there is no previous period, or either score is missing or too thin.
    difference: float | None
    #: For a table cell under "Since 2025-26": "up 9 points", "not enough answers now".
    short: str
    #: As part of a sentence: "up 9 points since 2025-26".
    text: str


#: Why a score has no percent, in the words the report uses ("not enough answers").
_NO_SCORE: dict[CoverageStatus, str] = {
    "not-enough-answers": NOT_ENOUGH_ANSWERS,
    "nothing-applicable": "no item applies",
    "shown": "not rated",
}


def change_since(
    current: float | None,
    previous: float | None,
    previous_period: str | None,
    *,
    now: CoverageStatus = "shown",
    before: CoverageStatus = "shown",
) -> Change:
    """Return the change from ``previous`` (in ``previous_period``) to ``current``.

    ``now`` and ``before`` are the coverage statuses of the two scores. A score that rests on
    too few answers is not compared (a jump from two answers to ten says nothing about
    progress), and the cell says so in the report's words: a step half answered now reads "not
    enough answers now", not "not rated now", which would read as if nobody had answered it.
    """
    if previous_period is None:
        return Change(None, "first assessment", "first assessment")
    if now != "shown" or current is None:
        why = _NO_SCORE[now]
        return Change(None, f"{why} now", f"{why} now, so no comparison with {previous_period}")
    if before != "shown" or previous is None:
        why = _NO_SCORE[before]
        return Change(None, f"{why} then", f"{why} in {previous_period}")
    difference = current - previous
    short = points_text(difference)
    return Change(difference, short, f"{short} since {previous_period}")


@dataclass(frozen=True)
class PeerBenchmark:
    """The median of similar organizations, or why it is not shown."""

    #: None when withheld (fewer than ``k`` organizations) or there is no peer group.
    median: float | None
    #: How many organizations the median rests on; None when withheld, so no small count shows.
    organizations: int | None
    #: For a table cell: "median 55%; this one is 4 points above", or the reason there is none.
    #: Never "you": the summary is read by the organization's board, its partners and the
    #: state advocate alike (one PDF for all of them).
    text: str
    #: As a sentence: "The median of 6 similar organizations is 55%; this assessment is 4
    #: points above it."
    sentence: str

    @property
    def shown(self) -> bool:
        """Return whether the median may be shown."""
        return self.median is not None


#: What the board summary says below the small-number rule: no count, no figure.
TOO_FEW_PEERS = "too few similar organizations to compare"


def peer_benchmark(
    peer_percents: Sequence[float | None], k: int, *, own: float | None = None
) -> PeerBenchmark:
    """Return the median of the peers' percents, or "too few" when fewer than ``k`` have one.

    ``peer_percents`` holds one figure per similar organization (never the organization
    itself). The count is only given once it reaches ``k``, the same rule as the state
    dashboard, so a group smaller than ``k`` is never described at all. ``own`` adds how the
    organization stands to the median ("4 points above").
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    values = sorted(float(value) for value in peer_percents if value is not None)
    if len(values) < k:
        return PeerBenchmark(
            None, None, TOO_FEW_PEERS, "There are too few similar organizations to compare with."
        )
    median = quantile(values, 0.5)
    text = f"median {median:.0f}%"
    sentence = f"The median of {len(values)} similar organizations is {median:.0f}%"
    if own is not None:
        relation = direction_of(own - median)
        points = round(abs(own - median))
        unit = "point" if points == 1 else "points"
        if relation == "same":
            text += "; this one is at the median"
            sentence += "; this assessment is at the median."
        else:
            side = "above" if relation == "better" else "below"
            text += f"; this one is {points} {unit} {side}"
            sentence += f"; this assessment is {points} {unit} {side} it."
    else:
        sentence += "."
    return PeerBenchmark(median, len(values), text, sentence)


@dataclass(frozen=True)
class StepResult:
    """What the headline needs to know about one step (``number`` None for the overall)."""

    number: int | None
    title: str
    percent: float | None
    status: StepStatus


@dataclass(frozen=True)
class Headline:
    """The board summary's first sentence, and the short sentences that follow it."""

    main: str
    details: tuple[str, ...]


def _overall_sentence(org_name: str, status: StepStatus) -> str:
    return {
        "good": f"{org_name} has most of what this review looks for in place.",
        "fair": f"{org_name} has important pieces in place, with clear gaps still to close.",
        "poor": f"{org_name} has few of the basics in place yet.",
        "unknown": f"Too few questions are answered to say where {org_name} stands.",
    }[status.tone]


def board_headline(
    org_name: str,
    overall: StepResult,
    steps: Sequence[StepResult],
    change: Change,
    *,
    questions_answered: int,
    questions_applicable: int,
    draft: bool,
) -> Headline:
    """Return the plain-language headline: where the organization stands, then why.

    ``questions_answered`` of ``questions_applicable`` are the questions as the report page
    counts them (``Report.answered``, N/A and unscored questions included), not the scored
    items a score rests on, so the two pages give one figure under one name.

    Only steps with a status (enough answers) are named as furthest along or behind, so a step
    rated on two answers is never held up as the best or the worst. "Furthest along" rather
    than "strongest": when every step needs attention, the best of them is not strong.
    """
    details: list[str] = []
    if draft:
        details.append("This is a draft: the answers can still change.")
    if overall.status.tone == "unknown":
        # A submitted review cannot be finished any more: the next one can answer more.
        advice = (
            "finish the review for a fuller picture."
            if draft
            else "the next review can answer more for a fuller picture."
        )
        details.append(
            f"Only {questions_answered} of {questions_applicable} questions are answered; {advice}"
        )
    rated = [step for step in steps if step.status.tone != "unknown" and step.percent is not None]
    if len(rated) >= 2:
        best = max(rated, key=lambda step: step.percent or 0.0)
        worst = min(rated, key=lambda step: step.percent or 0.0)
        if best.percent != worst.percent:
            details.append(
                f"Furthest along: step {best.number}, “{best.title}”. "
                f"Furthest behind: step {worst.number}, “{worst.title}”."
            )
    unknown = [step for step in steps if step.status.tone == "unknown"]
    if unknown and overall.status.tone != "unknown":
        count = len(unknown)
        details.append(
            f"{count} {'step has' if count == 1 else 'steps have'} too few answers to judge."
        )
    if change.difference is not None:
        details.append(f"Overall {change.text}.")
    elif change.text == "first assessment":
        details.append("This is the first assessment, so there is nothing to compare with yet.")
    return Headline(_overall_sentence(org_name, overall.status), tuple(details))
