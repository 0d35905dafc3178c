"""The immutable rubric tree: what a validated rubric and resource library look like in memory.

Everything here is plain frozen dataclasses with no Flask or database imports, so the loader,
scoring, the web layer, the PDF and the benchmarks all share one description of a rubric.
The loader (``loader.py``) is the only code that builds these from YAML; ``from_definition``
in ``serialize.py`` rebuilds them from the normalised JSON stored with each rubric version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ItemType = Literal["scale", "yes_no", "multi_select", "number", "short_text", "long_text", "date"]
Importance = Literal["essential", "recommended"]
Audience = Literal["district", "afterschool_program", "state", "campus"]
ResourceKind = Literal[
    "letter",
    "rubric",
    "report",
    "blog_post",
    "model_mou",
    "standard",
    "guide",
    "fact_sheet",
    "press_release",
]

ITEM_TYPES: tuple[str, ...] = (
    "scale",
    "yes_no",
    "multi_select",
    "number",
    "short_text",
    "long_text",
    "date",
)
AUDIENCES: tuple[str, ...] = ("district", "afterschool_program", "state", "campus")
RESOURCE_KINDS: tuple[str, ...] = (
    "letter",
    "rubric",
    "report",
    "blog_post",
    "model_mou",
    "standard",
    "guide",
    "fact_sheet",
    "press_release",
)

#: Dimension key under which items without rating dimensions (yes/no, text, ...) store their value.
VALUE_DIMENSION = "value"

#: The five SECURe action-step section ids. Every SECURe-family rubric uses these ids so that
#: assessments of different rubrics compare step by step.
SECURE_STEP_IDS: tuple[str, ...] = (
    "partnerships-and-mous",
    "civil-rights",
    "recruit-and-hire",
    "training",
    "evaluation-and-recognition",
)


@dataclass(frozen=True)
class ScaleOption:
    """One answer on a scale, e.g. 'partly in place' worth 1 point."""

    key: str
    label: str
    points: float
    description: str = ""


@dataclass(frozen=True)
class Scale:
    """An answer scale defined once per rubric and reused by id."""

    id: str
    label: str
    options: tuple[ScaleOption, ...]
    allow_na: bool = True

    @property
    def max_points(self) -> float:
        return max(option.points for option in self.options)

    @property
    def min_points(self) -> float:
        """The lowest option's points: what "not in place" means to the framework checks."""
        return min(option.points for option in self.options)

    def option(self, key: str) -> ScaleOption | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    @property
    def top_option(self) -> ScaleOption:
        """The option worth the most points ('fully in place')."""
        return max(self.options, key=lambda option: option.points)


@dataclass(frozen=True)
class Dimension:
    """A rating dimension, e.g. what the written MOU says versus what happens in practice."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage of a staged rubric, e.g. SECURe's 'Checklist to Start' and 'Checklist to Improve'."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Choice:
    """A choice of a multi-select item."""

    key: str
    label: str


@dataclass(frozen=True)
class Condition:
    """A ``show_if`` condition on earlier answers.

    ``op`` is one of ``equals``, ``not_equals``, ``in`` (leaf conditions on ``item``/``dimension``
    with ``values``) or ``all`` / ``any`` (combinations of ``conditions``).
    """

    op: Literal["equals", "not_equals", "in", "all", "any"]
    item: str | None = None
    dimension: str | None = None
    values: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()

    def referenced_items(self) -> tuple[str, ...]:
        """Every item id this condition reads, depth first."""
        if self.item is not None:
            return (self.item,)
        return tuple(ref for child in self.conditions for ref in child.referenced_items())


@dataclass(frozen=True)
class Item:
    """One question of a rubric."""

    id: str
    section_id: str
    type: ItemType
    prompt: str
    help: str = ""
    stage: str | None = None
    weight: float = 1.0
    importance: Importance = "recommended"
    scale: str | None = None
    #: Rating dimensions this item is rated on; empty for unscored items (which store their
    #: single answer under VALUE_DIMENSION).
    dimensions: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    basis: tuple[str, ...] = ()
    guidance: tuple[str, ...] = ()
    recommendation: str = ""
    #: Advice per rating dimension, ``(dimension id, text)`` in the item's dimension order: what to
    #: write down for the written side, what to do for practice. Empty for one-dimension rubrics,
    #: which keep the single ``recommendation``.
    recommendations: tuple[tuple[str, str], ...] = ()
    show_if: Condition | None = None
    typical_evidence: tuple[str, ...] = ()
    scored: bool = True
    #: A clause a district or program could adopt to close a gap on the written side, in plain
    #: text (1-3 sentences); "" when the rubric gives none. The "Proposed MOU amendments"
    #: document quotes it.
    model_language: str = ""
    #: Words and phrases an agreement uses for the item's topic ("code of conduct", "use of
    #: force"): with the prompt, they rank an uploaded agreement's clauses as suggested evidence.
    look_for: tuple[str, ...] = ()

    @property
    def essential(self) -> bool:
        return self.importance == "essential"

    def recommendation_for(self, dimension: str) -> str:
        """The advice for closing the gap on ``dimension``; the item-wide one if it has none."""
        for dimension_id, text in self.recommendations:
            if dimension_id == dimension:
                return text
        return self.recommendation

    @property
    def answer_dimensions(self) -> tuple[str, ...]:
        """The dimension keys under which this item's answers are stored."""
        return self.dimensions if self.dimensions else (VALUE_DIMENSION,)


@dataclass(frozen=True)
class Section:
    """A section of a rubric; for SECURe-family rubrics, one of the five action steps."""

    id: str
    number: int
    title: str
    summary: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Level:
    """A maturity level: a score band [min, max] with a plain-language description."""

    id: str
    label: str
    min: float
    max: float
    description: str


#: ``scoring.min_coverage`` when a rubric does not set it: a score resting on fewer than three in
#: five of its items says more about what was skipped than about what is in place.
DEFAULT_MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class Scoring:
    """How item points roll up into section and overall scores."""

    #: 'weighted_mean': a section's score is sum(weight * points) / sum(weight * max points) over
    #: answered, applicable, scored items; overall is the same over every section's items.
    method: Literal["weighted_mean"]
    levels: tuple[Level, ...]
    #: A rating at or above this share of the scale's maximum counts as 'fully in place';
    #: anything below is a gap.
    full_threshold: float = 1.0
    #: The share of a step's (or a dimension's, or the whole rubric's) applicable scored items
    #: that must be answered before its score is shown; below it the score reads "not enough
    #: answers". N/A and hidden items are not applicable and do not count.
    min_coverage: float = DEFAULT_MIN_COVERAGE


@dataclass(frozen=True)
class Rubric:
    """A validated rubric. Immutable; build it with the loader, never by hand outside tests."""

    id: str
    version: str
    title: str
    summary: str
    audience: tuple[Audience, ...]
    issuer: tuple[str, ...]
    status_note: str
    family: str | None
    sources: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    scales: Mapping[str, Scale]
    stages: tuple[Stage, ...]
    sections: tuple[Section, ...]
    scoring: Scoring
    _items: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    _numbers: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _section_reads: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items = {item.id: item for section in self.sections for item in section.items}
        object.__setattr__(self, "_items", MappingProxyType(items))
        numbers = {
            item.id: f"{section.number}.{position}"
            for section in self.sections
            for position, item in enumerate(section.items, start=1)
        }
        object.__setattr__(self, "_numbers", MappingProxyType(numbers))
        object.__setattr__(
            self,
            "_section_reads",
            MappingProxyType(
                {section.id: _items_deciding(section, items) for section in self.sections}
            ),
        )
        object.__setattr__(self, "scales", MappingProxyType(dict(self.scales)))

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item in document order."""
        return tuple(self._items.values())

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def item_number(self, item_id: str) -> str:
        """The printed number of an item: its section's number and its position, e.g. "2.4".

        The one numbering rule: pages, errors and reports should all ask here.
        """
        return self._numbers[item_id]

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def section_reads(self, section_id: str) -> frozenset[str]:
        """The ids of the items whose answers decide a section's items: its own, and every item
        their conditions read, and the items those read, and so on (skip logic hides an item
        whose condition reads a hidden item, so visibility reaches along the whole chain).

        A save of one section needs the stored answers of these items only; the rest of the
        rubric cannot change what the section shows, saves or counts.
        """
        return self._section_reads[section_id]

    def scale_of(self, item: Item) -> Scale | None:
        return self.scales[item.scale] if item.scale else None

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def level_for(self, percent: float) -> Level:
        """The maturity level of ``percent`` (0-100): the last level whose ``min`` it reaches.

        Bands are written to the hundredth ([0, 39.99], [40, 69.99], ...), so reading each as
        [min, next min) leaves no hole for a value such as 39.995, which a [min, max] test would
        miss. ``scoring.level_of`` delegates here, so there is one rule.
        """
        chosen = self.scoring.levels[0]
        for level in self.scoring.levels:
            if percent >= level.min:
                chosen = level
        return chosen


def _items_deciding(section: Section, items: Mapping[str, Item]) -> frozenset[str]:
    """``Rubric.section_reads`` of ``section``, worked out once when the rubric is built."""
    found = {item.id for item in section.items}
    waiting = list(found)
    while waiting:
        item = items.get(waiting.pop())
        if item is None or item.show_if is None:
            continue
        for ref in item.show_if.referenced_items():
            if ref not in found:
                found.add(ref)
                waiting.append(ref)
    return frozenset(found)


@dataclass(frozen=True)
class Resource:
    """An entry in the guidance library (rubrics/resources.yaml)."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    kind: ResourceKind
    summary: str
    archived: bool = False
    #: Action-step section ids this resource is about, beyond the items that cite it.
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceLibrary:
    """Every resource by id."""

    resources: Mapping[str, Resource]

    def get(self, resource_id: str) -> Resource | None:
        return self.resources.get(resource_id)

    def __contains__(self, resource_id: object) -> bool:
        return resource_id in self.resources

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)
