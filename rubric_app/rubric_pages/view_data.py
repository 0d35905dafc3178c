"""Plain-language descriptions of a rubric for its method page: conditions, scoring, sources.

Pure functions over the rubric model; the route turns them into a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubric_app.resources.view_data import ResourceView, resource_views
from rubric_app.rubrics.catalog import Catalog
from rubric_app.rubrics.model import Condition, Item, Rubric, Scale

ITEM_TYPE_LABELS = {
    "scale": "Rated on a scale",
    "yes_no": "Yes or no",
    "multi_select": "Choose any that apply",
    "number": "A number",
    "short_text": "Short text",
    "long_text": "Long text",
    "date": "A date",
}


@dataclass(frozen=True)
class RubricPageItem:
    id: str
    number: str
    prompt: str
    help: str
    type_label: str
    stage_label: str | None
    importance: str
    weight: str
    scored: bool
    scale_label: str | None
    dimension_labels: tuple[str, ...]
    condition: str | None
    recommendation: str
    typical_evidence: tuple[str, ...]
    basis: tuple[ResourceView, ...]
    guidance: tuple[ResourceView, ...]


@dataclass(frozen=True)
class SectionView:
    id: str
    number: int
    title: str
    summary: str
    items: tuple[RubricPageItem, ...]
    rated: int
    essential: int


def _answer_label(rubric: Rubric, item: Item, dimension: str | None, value: str) -> str:
    scale = rubric.scale_of(item)
    if scale is not None:
        option = scale.option(value)
        if option is not None:
            return f"“{option.label}”"
    for choice in item.choices:
        if choice.key == value:
            return f"“{choice.label}”"
    return f"“{value.capitalize() if value in ('yes', 'no') else value}”"


def describe_condition(condition: Condition, rubric: Rubric) -> str:
    """Say in words when an item is shown, e.g. 'Asked when 1.1 is answered “Yes”'."""
    if condition.op in ("all", "any"):
        joiner = " and " if condition.op == "all" else " or "
        return joiner.join(f"({describe_condition(c, rubric)})" for c in condition.conditions)
    assert condition.item is not None
    target = rubric.item(condition.item)
    where = f"“{_short(target.prompt)}”"
    if condition.dimension:
        where += f" ({rubric.dimension(condition.dimension).label.lower()})"
    values = [_answer_label(rubric, target, condition.dimension, v) for v in condition.values]
    if condition.op == "equals":
        return f"{where} is answered {values[0]}"
    if condition.op == "not_equals":
        return f"{where} is not answered {values[0]}"
    return f"{where} is answered {' or '.join(values)}"


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _weight(weight: float) -> str:
    return f"{weight:g}"


def describe_sections(rubric: Rubric, catalog: Catalog) -> tuple[SectionView, ...]:
    """Every section with its items described for reviewers."""
    stages = {stage.id: stage.label for stage in rubric.stages}
    sections = []
    for section in rubric.sections:
        items = []
        for item in section.items:
            scale = rubric.scale_of(item)
            items.append(
                RubricPageItem(
                    id=item.id,
                    number=rubric.item_number(item.id),
                    prompt=item.prompt,
                    help=item.help,
                    type_label=ITEM_TYPE_LABELS[item.type],
                    stage_label=stages.get(item.stage) if item.stage else None,
                    importance=item.importance.capitalize(),
                    weight=_weight(item.weight),
                    scored=item.scored and item.type == "scale",
                    scale_label=scale.label if scale else None,
                    dimension_labels=tuple(
                        rubric.dimension(dimension).label for dimension in item.dimensions
                    ),
                    condition=(
                        "Asked only when " + describe_condition(item.show_if, rubric)
                        if item.show_if
                        else None
                    ),
                    recommendation=item.recommendation,
                    typical_evidence=item.typical_evidence,
                    basis=resource_views(catalog, item.basis),
                    guidance=resource_views(catalog, item.guidance),
                )
            )
        rated = [view for view in items if view.scored]
        sections.append(
            SectionView(
                id=section.id,
                number=section.number,
                title=section.title,
                summary=section.summary,
                items=tuple(items),
                rated=len(rated),
                essential=sum(1 for view in rated if view.importance == "Essential"),
            )
        )
    return tuple(sections)


def describe_scale(scale: Scale) -> list[tuple[str, str, str]]:
    """(label, points, description) rows of a scale, lowest first."""
    return [
        (option.label, f"{option.points:g}", option.description)
        for option in sorted(scale.options, key=lambda option: option.points)
    ]


def scoring_method(rubric: Rubric) -> list[str]:
    """The scoring rules of the rubric, as sentences a reviewer can check."""
    dimensions = " and ".join(f"“{d.label}”" for d in rubric.dimensions)
    threshold = rubric.scoring.full_threshold
    return [
        f"Each rated item is rated separately for {dimensions}."
        if len(rubric.dimensions) > 1
        else f"Each rated item is rated for {dimensions}.",
        "An item's points on each dimension are multiplied by the item's weight. A section's "
        "score is the sum of weighted points divided by the sum of weighted maximum points, over "
        "every rated item and dimension in the section, as a percentage.",
        "The overall score pools every rated item and dimension of every section the same way; "
        "it is not an average of section scores.",
        "Items marked N/A (with the required justification) and items hidden by an earlier "
        "answer are left out of both the points and the maximum. Unanswered items are left out "
        "of the score and counted in completion instead, which is reported separately.",
        (
            "An item counts as a gap when any of its ratings is below the top of the scale."
            if threshold >= 1
            else f"An item counts as a gap when any rating is below {threshold:.0%} of the "
            "scale's maximum."
        )
        + " Gaps are ordered essential items first, then by weight times shortfall.",
    ]
