"""Plain view data for the framework method pages (no ORM objects, no logic in templates)."""

from __future__ import annotations

from dataclasses import dataclass

from rubric_app.frameworks.model import Framework, Requirement
from rubric_app.rubrics.catalog import Catalog
from rubric_app.us_states import STATES

STATUS_LABELS = {
    "official": "Official: read on the legislature's own page",
    "secondary": "Secondary: read from a summary, a district policy or a law firm's note",
    "partial": "Partial: only part of the list of elements could be read",
}


@dataclass(frozen=True)
class MappedItem:
    """One item a requirement reads, as a reviewer sees it."""

    rubric_title: str
    rubric_id: str
    item_id: str
    number: str
    prompt: str
    dimensions: str


@dataclass(frozen=True)
class RequirementView:
    id: str
    citation: str
    statement: str
    source: str
    status_label: str
    own_status: bool
    mapping_note: str
    items: tuple[MappedItem, ...]


def jurisdiction_name(framework: Framework) -> str:
    """ "Washington", or "Federal (funding conditions)"."""
    if framework.federal:
        return "Federal (funding conditions)"
    return STATES.get(framework.jurisdiction, framework.jurisdiction)


def text_date_label(framework: Framework) -> str:
    """The date of the text, or a plain "not stated by the source"."""
    if framework.text_date == "unknown":
        return "Not stated by the source"
    return framework.text_date


def _mapped_items(requirement: Requirement, catalog: Catalog) -> tuple[MappedItem, ...]:
    items = []
    for rule in requirement.rules:
        rubric = catalog.get(rule.rubric)
        for check in rule.checks:
            if rubric is None or not rubric.has_item(check.item):
                # The rubric's file broke after the framework was checked: say so, never guess.
                items.append(
                    MappedItem(rule.rubric, rule.rubric, check.item, "", "(not available)", "")
                )
                continue
            item = rubric.item(check.item)
            dimensions = check.dimensions or item.dimensions
            labels = [rubric.dimension(d).label for d in dimensions if d in item.dimensions]
            items.append(
                MappedItem(
                    rubric_title=rubric.title,
                    rubric_id=rubric.id,
                    item_id=item.id,
                    number=rubric.item_number(item.id),
                    prompt=item.prompt,
                    dimensions=" and ".join(labels) if labels else "Yes",
                )
            )
    return tuple(items)


def describe_requirements(framework: Framework, catalog: Catalog) -> tuple[RequirementView, ...]:
    """Every requirement with its citation, source and the items behind it."""
    return tuple(
        RequirementView(
            id=requirement.id,
            citation=requirement.citation,
            statement=requirement.statement,
            source=requirement.source,
            status_label=STATUS_LABELS[requirement.status],
            own_status=requirement.status != framework.status,
            mapping_note=requirement.mapping_note,
            items=_mapped_items(requirement, catalog),
        )
        for requirement in framework.requirements
    )
