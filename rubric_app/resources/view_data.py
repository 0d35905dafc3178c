"""The guidance library as pages and reports show it: resource views, kind labels and filters.

Plain data only (no Flask): the report context, the PDF and the ``/resources`` page all turn
catalog resources into ``ResourceView`` here, so a resource reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rubric_app.rubrics.catalog import Catalog
from rubric_app.rubrics.model import RESOURCE_KINDS, Resource

#: People-facing names of resource kinds, in the order the filter lists them.
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "letter": "Letter",
        "rubric": "Rubric",
        "report": "Report",
        "blog_post": "Blog post",
        "model_mou": "Model MOU",
        "standard": "Standard",
        "guide": "Guide",
        "fact_sheet": "Fact sheet",
        "press_release": "Press release",
    }
)
assert set(KIND_LABELS) == set(RESOURCE_KINDS), "every resource kind needs a label"


#: Short names of the five SECURe action steps, shared by every SECURe-family rubric; each
#: rubric words its own section titles for its audience, too long for a filter.
STEP_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "partnerships-and-mous": "1. Partnerships and MOUs",
        "civil-rights": "2. Civil rights",
        "recruit-and-hire": "3. Recruiting and hiring",
        "training": "4. Training",
        "evaluation-and-recognition": "5. Evaluation and recognition",
    }
)


@dataclass(frozen=True)
class ResourceView:
    """One resource with its display labels; ``date`` stays as written (format with |date)."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    kind: str
    kind_label: str
    summary: str
    archived: bool


@dataclass(frozen=True)
class CitingItem:
    """An item that cites a resource, for the library's "cited by" lists."""

    rubric_id: str
    rubric_title: str
    item_id: str
    section_title: str
    prompt: str


@dataclass(frozen=True)
class LibraryEntry:
    """A resource in the library listing, with the items that cite it."""

    resource: ResourceView
    steps: tuple[str, ...]
    cited_by: tuple[CitingItem, ...]


@dataclass(frozen=True)
class StepOption:
    """An action step offered in the library's filter."""

    id: str
    title: str


def resource_view(resource: Resource) -> ResourceView:
    """Return the display view of one resource."""
    return ResourceView(
        id=resource.id,
        title=resource.title,
        publisher=resource.publisher,
        date=resource.date,
        url=resource.url,
        kind=resource.kind,
        kind_label=KIND_LABELS.get(resource.kind, resource.kind),
        summary=resource.summary,
        archived=resource.archived,
    )


def resource_views(catalog: Catalog, resource_ids: Iterable[str]) -> tuple[ResourceView, ...]:
    """Return the views of ``resource_ids`` in the given order, skipping unknown ids."""
    views = []
    for resource_id in resource_ids:
        resource = catalog.resources.get(resource_id)
        if resource is not None:
            views.append(resource_view(resource))
    return tuple(views)


def step_options(catalog: Catalog) -> tuple[StepOption, ...]:
    """Return every section id used by a rubric: SECURe steps first, by their short names."""
    seen: dict[str, str] = dict(STEP_LABELS)
    for rubric in catalog.rubrics.values():
        for section in rubric.sections:
            seen.setdefault(section.id, section.title)
    return tuple(StepOption(step_id, title) for step_id, title in seen.items())


def library_entries(
    catalog: Catalog, *, kind: str | None = None, step: str | None = None
) -> tuple[LibraryEntry, ...]:
    """Return every resource (newest first) matching the optional kind and action-step filters."""
    entries = []
    for resource in catalog.resources:
        if kind and resource.kind != kind:
            continue
        pairs = catalog.citing(resource.id)
        # A resource is about its own ``steps`` and the steps of every item citing it.
        steps = set(resource.steps) | {item.section_id for _rubric, item in pairs}
        if step and step not in steps:
            continue
        cited_by = tuple(
            CitingItem(
                rubric_id=rubric.id,
                rubric_title=rubric.title,
                item_id=item.id,
                section_title=rubric.section(item.section_id).title,
                prompt=item.prompt,
            )
            for rubric, item in pairs
        )
        entries.append(
            LibraryEntry(
                resource=resource_view(resource),
                steps=tuple(sorted(steps)),
                cited_by=cited_by,
            )
        )
    # Newest first; ISO dates of any precision sort correctly as text. Title breaks ties.
    entries.sort(key=lambda entry: entry.resource.title)
    entries.sort(key=lambda entry: entry.resource.date, reverse=True)
    return tuple(entries)
