"""How many organizations meet each requirement of a framework, and the shares safe to show.

Pure, for the state dashboard. Two ways in:

- ``tally_outcomes`` counts outcomes already judged (``evaluate_framework``) per organization.
- ``check_sets`` / ``tally_counted`` judge from *the cached item results*, so the dashboard never
  rebuilds an assessment: ``check_sets`` lists, per requirement, the (item, dimension) pairs its
  rule reads on one rubric version and the lowest option of each item. A grouped query packs,
  per assessment, the state of every pair read into integers (``STATE_BITS`` bits a pair:
  absent, none, partial or full; ``pack_states`` is the same packing in Python) and groups the
  assessments by them; ``counts_of_packed`` unpacks a group into how many of each requirement's
  pairs have a cached result (``present``), are fully in place (``full``) or sit at the lowest
  option (``none``); and ``outcome_of_counts`` applies the rule of ``evaluate.combine_states``.
  The cache (``ItemResult``) holds only visible, applicable, scored ratings, so a missing row is
  an unknown check exactly as in ``evaluate``: unanswered, N/A or hidden gives "cannot tell".

``shown_outcomes`` turns one requirement's four counts into shares of the organizations counted
(they add up to that total), withholding any count under ``k`` and, by the complementary rule
(``scoring.hidden_cells``), enough others that no withheld count can be recovered by subtracting
the shown ones from the total. ``share_met`` is the share of organizations whose answers tell.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from rubric_app.rubrics.model import Rubric
from rubric_app.scoring.aggregate import Figure, Suppressed, figure_or_suppressed, share
from rubric_app.scoring.disclosure import hidden_cells
from rubric_app.scoring.score import is_scored_item

from .evaluate import OUTCOME_LABELS, OUTCOMES, Outcome, RequirementResult
from .model import Framework

__all__ = [
    "PAIRS_PER_CODE",
    "STATE_BITS",
    "STATE_CODES",
    "CheckSet",
    "OutcomeShare",
    "RequirementTally",
    "check_pairs",
    "check_sets",
    "counts_of_packed",
    "outcome_counts",
    "outcome_of_counts",
    "pack_states",
    "share_met",
    "shown_outcomes",
    "tally_counted",
    "tally_outcomes",
]


@dataclass(frozen=True)
class RequirementTally:
    """The organizations per outcome for one requirement."""

    requirement_id: str
    met: int = 0
    partly: int = 0
    not_met: int = 0
    cannot_tell: int = 0

    @property
    def judged(self) -> int:
        """Organizations whose answers tell: the denominator of the share."""
        return self.met + self.partly + self.not_met


def tally_outcomes(
    framework: Framework, per_organization: Iterable[Iterable[RequirementResult]]
) -> tuple[RequirementTally, ...]:
    """Count outcomes per requirement over one result list per organization (framework order)."""
    counts = {req.id: [0, 0, 0, 0] for req in framework.requirements}
    index = {"met": 0, "partly": 1, "not-met": 2, "cannot-tell": 3}
    for results in per_organization:
        for result in results:
            row = counts.get(result.requirement.id)
            if row is not None:
                row[index[result.outcome]] += 1
    return tuple(RequirementTally(req_id, *row) for req_id, row in counts.items())


def share_met(tally: RequirementTally, k: int) -> Figure | Suppressed:
    """The share (0..1) of judged organizations that meet it; withheld under ``k`` of them."""
    return figure_or_suppressed(share(tally.met, tally.judged), tally.judged, k)


@dataclass(frozen=True)
class CheckSet:
    """What one requirement reads on one rubric version, in the cache's terms."""

    requirement_id: str
    #: (item id, dimension) pairs, one per check; empty when the requirement has no rule for the
    #: rubric (then it cannot tell). A pair the cache never holds (an item not in this version,
    #: or not a scored scale item) stays in: it is an unknown check, so "cannot tell".
    checks: tuple[tuple[str, str], ...]
    #: (item id, option key) of each checked item's lowest options: a rating there is "none".
    lowest: tuple[tuple[str, str], ...]


def check_sets(framework: Framework, rubric: Rubric) -> tuple[CheckSet, ...]:
    """Each requirement's checks on ``rubric`` (framework order), as ``evaluate`` reads them."""
    found = []
    for requirement in framework.requirements:
        rule = requirement.rule_for(rubric.id)
        pairs: list[tuple[str, str]] = []
        lowest: list[tuple[str, str]] = []
        for check in rule.checks if rule is not None else ():
            if not rubric.has_item(check.item):
                pairs.extend((check.item, d) for d in check.dimensions or ("",))
                continue
            item = rubric.item(check.item)
            pairs.extend((item.id, d) for d in check.dimensions or item.answer_dimensions)
            scale = rubric.scale_of(item) if is_scored_item(rubric, item) else None
            if scale is not None:
                lowest.extend(
                    (item.id, option.key)
                    for option in scale.options
                    if option.points <= scale.min_points
                )
        found.append(
            CheckSet(requirement.id, tuple(dict.fromkeys(pairs)), tuple(dict.fromkeys(lowest)))
        )
    return tuple(found)


#: A pair's state in a packed code: no cached result, lowest option, in between, fully in place.
STATE_CODES = {"absent": 0, "none": 1, "partial": 2, "full": 3}
STATE_BITS = 2
#: Pairs packed into one integer: 30 x 2 bits stays within a signed 64-bit sum.
PAIRS_PER_CODE = 30


def check_pairs(sets: Sequence[CheckSet]) -> tuple[tuple[str, str], ...]:
    """Every (item, dimension) pair some requirement reads, once each: the packing order."""
    return tuple(dict.fromkeys(pair for check_set in sets for pair in check_set.checks))


def pack_states(states: Sequence[int]) -> tuple[int, ...]:
    """Pack one state code per pair (``check_pairs`` order) into integers, as the query does."""
    codes = []
    for start in range(0, len(states), PAIRS_PER_CODE):
        chunk = states[start : start + PAIRS_PER_CODE]
        codes.append(sum(state << (STATE_BITS * i) for i, state in enumerate(chunk)))
    return tuple(codes)


def counts_of_packed(
    sets: Sequence[CheckSet], pairs: Sequence[tuple[str, str]], codes: Sequence[int]
) -> tuple[int, ...]:
    """(present, full, none) for each of ``sets``, flattened, from packed pair states."""
    mask = (1 << STATE_BITS) - 1
    state = {
        pair: (codes[i // PAIRS_PER_CODE] >> (STATE_BITS * (i % PAIRS_PER_CODE))) & mask
        for i, pair in enumerate(pairs)
    }
    counts: list[int] = []
    for check_set in sets:
        found = [state.get(pair, 0) for pair in check_set.checks]
        counts += [
            sum(1 for s in found if s != STATE_CODES["absent"]),
            sum(1 for s in found if s == STATE_CODES["full"]),
            sum(1 for s in found if s == STATE_CODES["none"]),
        ]
    return tuple(counts)


def outcome_of_counts(checks: int, present: int, full: int, none: int) -> Outcome:
    """The outcome of a requirement with ``checks`` checks, of which ``present`` were rated,
    ``full`` fully in place and ``none`` at the lowest option (``evaluate.combine_states``)."""
    if checks == 0 or present < checks:
        return "cannot-tell"
    if full == checks:
        return "met"
    if none == checks:
        return "not-met"
    return "partly"


def tally_counted(
    sets: Sequence[CheckSet], groups: Iterable[tuple[Sequence[int], int]]
) -> tuple[RequirementTally, ...]:
    """Count outcomes per requirement from grouped counts of cached results.

    Each group is (counts, organizations): ``counts`` holds (present, full, none) for each of
    ``sets`` in order, and ``organizations`` how many organizations' latest assessment gave
    exactly those counts.
    """
    rows = [[0, 0, 0, 0] for _ in sets]
    index = {outcome: position for position, outcome in enumerate(OUTCOMES)}
    for counts, organizations in groups:
        for position, check_set in enumerate(sets):
            present, full, none = counts[3 * position : 3 * position + 3]
            outcome = outcome_of_counts(len(check_set.checks), present, full, none)
            rows[position][index[outcome]] += organizations
    return tuple(
        RequirementTally(check_set.requirement_id, *row)
        for check_set, row in zip(sets, rows, strict=True)
    )


@dataclass(frozen=True)
class OutcomeShare:
    """One outcome of one requirement: its share of the organizations counted, or withheld.

    A shown ``figure`` has the share (0..1) as value and the organizations as ``n``.
    """

    outcome: Outcome
    label: str
    figure: Figure | Suppressed


def outcome_counts(tally: RequirementTally) -> dict[Outcome, int]:
    """The tally's four counts by outcome."""
    return {
        "met": tally.met,
        "partly": tally.partly,
        "not-met": tally.not_met,
        "cannot-tell": tally.cannot_tell,
    }


def shown_outcomes(
    tally: RequirementTally, k: int, protected: Collection[Outcome] = ()
) -> tuple[OutcomeShare, ...]:
    """The four outcome shares of ``tally``, safe to show beside the total they add up to.

    A count under ``k`` is withheld ("small"); so are the ``protected`` outcomes (they would give
    a small group away against the view one level up) and, since the four add up to the total
    shown beside them, enough others that the withheld ones together are never a group under
    ``k`` ("complement").
    """
    counts = outcome_counts(tally)
    total = sum(counts.values())
    if 0 < total < k:
        hidden: set[Outcome] = set(OUTCOMES)
    else:
        hidden = hidden_cells(counts, k, always_hidden=protected)
    shares = []
    for outcome in OUTCOMES:
        count = counts[outcome]
        figure: Figure | Suppressed = (
            Suppressed(k=k, because="small" if 0 < count < k or total < k else "complement")
            if outcome in hidden
            else Figure(share(count, total), count)
        )
        shares.append(OutcomeShare(outcome, OUTCOME_LABELS[outcome], figure))
    return tuple(shares)
