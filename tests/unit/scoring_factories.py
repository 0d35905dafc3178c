"""Small builders of Rubric objects and answers for the scoring tests (no YAML loader needed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rubric_app.rubrics.model import (
    DEFAULT_MIN_COVERAGE,
    Choice,
    Condition,
    Dimension,
    Importance,
    Item,
    ItemType,
    Level,
    Rubric,
    Scale,
    ScaleOption,
    Scoring,
    Section,
)
from rubric_app.scoring import ItemAnswer

#: The usual SECURe-style scale: 0, 1, 2 points.
IN_PLACE = Scale(
    id="in-place",
    label="How far it is in place",
    options=(
        ScaleOption("not-in-place", "Not in place", 0),
        ScaleOption("partly", "Partly in place", 1),
        ScaleOption("fully", "Fully in place", 2),
    ),
)

LEVELS = (
    Level("beginning", "Beginning", 0, 39.99, ""),
    Level("developing", "Developing", 40, 69.99, ""),
    Level("established", "Established", 70, 89.99, ""),
    Level("exemplary", "Exemplary", 90, 100, ""),
)

POLICY_PRACTICE = ("policy", "practice")


def scale_item(
    item_id: str,
    *,
    weight: float = 1.0,
    importance: Importance = "recommended",
    dimensions: Sequence[str] = POLICY_PRACTICE,
    scale: str = "in-place",
    show_if: Condition | None = None,
    recommendation: str = "",
    recommendations: Sequence[tuple[str, str]] = (),
    guidance: Sequence[str] = (),
    scored: bool = True,
) -> Item:
    """Return a scale item (its section is set by ``section``)."""
    return Item(
        id=item_id,
        section_id="",
        type="scale",
        prompt=f"Prompt of {item_id}",
        weight=weight,
        importance=importance,
        scale=scale,
        dimensions=tuple(dimensions),
        recommendation=recommendation,
        recommendations=tuple(recommendations),
        guidance=tuple(guidance),
        show_if=show_if,
        scored=scored,
    )


def plain_item(
    item_id: str,
    item_type: ItemType = "yes_no",
    *,
    choices: Sequence[str] = (),
    show_if: Condition | None = None,
) -> Item:
    """Return an unscored item (yes/no by default)."""
    return Item(
        id=item_id,
        section_id="",
        type=item_type,
        prompt=f"Prompt of {item_id}",
        choices=tuple(Choice(key, key.title()) for key in choices),
        show_if=show_if,
        scored=False,
    )


def section(section_id: str, *items: Item, title: str | None = None, number: int = 1) -> Section:
    """Return a section holding ``items`` (their section_id is set to this section)."""
    return Section(
        id=section_id,
        number=number,
        title=title if title is not None else f"Section {section_id}",
        summary="",
        items=tuple(replace(item, section_id=section_id) for item in items),
    )


def rubric(
    *sections: Section,
    rubric_id: str = "test-rubric",
    version: str = "1",
    dimensions: Sequence[str] = POLICY_PRACTICE,
    scales: Sequence[Scale] = (IN_PLACE,),
    levels: Sequence[Level] = LEVELS,
    full_threshold: float = 1.0,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> Rubric:
    """Return a rubric of ``sections``."""
    return Rubric(
        id=rubric_id,
        version=version,
        title=f"Rubric {rubric_id}",
        summary="",
        audience=("district",),
        issuer=("Test",),
        status_note="",
        family=None,
        sources=(),
        dimensions=tuple(Dimension(dim, dim.title()) for dim in dimensions),
        scales={scale.id: scale for scale in scales},
        stages=(),
        sections=tuple(sections),
        scoring=Scoring(
            method="weighted_mean",
            levels=tuple(levels),
            full_threshold=full_threshold,
            min_coverage=min_coverage,
        ),
    )


def rated(**values: str) -> ItemAnswer:
    """Return an answer rating each given dimension (``rated(policy="fully")``)."""
    return ItemAnswer(values=values)


def value(answer: str | tuple[str, ...]) -> ItemAnswer:
    """Return an answer to an unscored item."""
    return ItemAnswer(values={"value": answer})


def not_applicable(reason: str = "Not relevant here") -> ItemAnswer:
    """Return an N/A answer with a reason."""
    return ItemAnswer(not_applicable=True, na_reason=reason)


def equals(item_id: str, *values: str, dimension: str | None = None) -> Condition:
    """Return an ``equals`` condition."""
    return Condition(op="equals", item=item_id, dimension=dimension, values=values)
