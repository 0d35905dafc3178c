"""The immutable framework and crosswalk trees: what a validated file looks like in memory.

Plain frozen dataclasses, built only by the readers (``framework_reader``, ``crosswalk_reader``).
A framework's requirement names, per rubric, the items (and dimensions) that must be fully in
place for it to be met; ``evaluate`` turns that rule and one assessment's answers into an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How sure the encoded text is, as marked in the reference: read on the legislature's own page
#: (official), from a bill summary, district policy or law firm (secondary), or only part of the
#: element list was readable (partial).
Status = Literal["official", "secondary", "partial"]
STATUSES: tuple[str, ...] = ("official", "secondary", "partial")

#: The jurisdiction of a federal framework (funding conditions); states use their USPS code.
FEDERAL = "federal"

#: How closely two crosswalked items match: they ask the same thing, or nearly (see the note).
Match = Literal["same", "close"]
MATCHES: tuple[str, ...] = ("same", "close")


@dataclass(frozen=True)
class ItemCheck:
    """One item a requirement reads, and the answer dimensions of it that must be in place.

    ``dimensions`` is empty when every answer dimension of the item counts (for a yes/no item,
    its single value).
    """

    item: str
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RubricRule:
    """The items of one rubric that together show whether a requirement is in place."""

    rubric: str
    checks: tuple[ItemCheck, ...]


@dataclass(frozen=True)
class Requirement:
    """One element of a law or funding condition, in plain words, with where it comes from."""

    id: str
    citation: str
    statement: str
    source: str
    status: Status
    rules: tuple[RubricRule, ...]
    #: What the mapped items do not capture (e.g. "the rubric does not ask about cost sharing"),
    #: so a "met" is never read as more than the items show.
    mapping_note: str = ""

    def rule_for(self, rubric_id: str) -> RubricRule | None:
        """The rule over ``rubric_id``'s items, or None when this rubric does not cover it."""
        return next((rule for rule in self.rules if rule.rubric == rubric_id), None)


@dataclass(frozen=True)
class NotChecked:
    """An element the reference lists that no rubric item asks about: shown, never evaluated."""

    citation: str
    statement: str
    reason: str


@dataclass(frozen=True)
class Framework:
    """A validated law or funding condition. Immutable; build it with the loader."""

    id: str
    title: str
    jurisdiction: str
    citation: str
    #: The date of the text encoded: "YYYY", "YYYY-MM", "YYYY-MM-DD", or "unknown".
    text_date: str
    sources: tuple[str, ...]
    status: Status
    note: str
    requirements: tuple[Requirement, ...]
    not_checked: tuple[NotChecked, ...] = ()

    @property
    def partial(self) -> bool:
        """Whether only part of the law's list of elements could be read and encoded."""
        return self.status == "partial"

    @property
    def federal(self) -> bool:
        return self.jurisdiction == FEDERAL

    def requirement(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def rubric_ids(self) -> tuple[str, ...]:
        """Every rubric some requirement reads, in first-use order."""
        seen = dict.fromkeys(rule.rubric for req in self.requirements for rule in req.rules)
        return tuple(seen)


@dataclass(frozen=True)
class RubricRef:
    """One side of a crosswalk: a rubric id at one version."""

    rubric: str
    version: str


@dataclass(frozen=True)
class ItemPair:
    """Two items, one per side of a crosswalk, that ask the same thing (or nearly)."""

    source: str
    target: str
    match: Match = "same"
    #: A short slug grouping pairs for a reader (discipline, information-sharing, training...).
    topic: str = ""
    note: str = ""


@dataclass(frozen=True)
class Crosswalk:
    """Item-to-item pairs between two rubrics, or two versions of one rubric. Immutable."""

    id: str
    title: str
    source: RubricRef
    target: RubricRef
    note: str
    pairs: tuple[ItemPair, ...]

    def target_of(self, item_id: str) -> str | None:
        """The target item paired with source item ``item_id``, if any."""
        return next((pair.target for pair in self.pairs if pair.source == item_id), None)

    def source_of(self, item_id: str) -> str | None:
        """The source item paired with target item ``item_id``, if any."""
        return next((pair.source for pair in self.pairs if pair.target == item_id), None)

    @property
    def between_versions(self) -> bool:
        """Whether both sides are versions of one rubric (so trends survive a version bump)."""
        return self.source.rubric == self.target.rubric
