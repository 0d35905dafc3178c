"""Normalises the guidance library (resources.yaml) into a ResourceLibrary.

Part of the loader pipeline (see ``loader.py``): shapes, defaults and resource-level rules
(dates, URLs, SECURe step ids). Errors are collected on the document, never raised.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from .fields import Fields
from .model import RESOURCE_KINDS, SECURE_STEP_IDS, Resource, ResourceKind, ResourceLibrary
from .yaml_nodes import join_key

RESOURCE_KEYS = (
    "id", "title", "publisher", "date", "url", "kind", "summary", "archived", "steps",
)  # fmt: skip
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class ResourceReader(Fields):
    """Reads ``document.value`` (the whole resources.yaml) into a ResourceLibrary."""

    def read(self) -> ResourceLibrary | None:
        root = self.document.value
        if not isinstance(root, dict):
            self.error("not-mapping", "", "the top of resources.yaml must be 'resources:'")
            return None
        self.check_keys(root, "", ("resources",), "the resource file")
        seen: dict[str, str] = {}
        resources: dict[str, Resource] = {}
        for path, value in self.elements(root, "", "resources", required=True, min_items=1):
            resource = self._resource(value, path)
            if resource is not None:
                self.unique(seen, resource.id, join_key(path, "id"), "resource")
                resources.setdefault(resource.id, resource)
        return ResourceLibrary(resources)

    def _resource(self, value: Any, path: str) -> Resource | None:
        m = self.mapping(value, path, "a resource")
        if m is None:
            return None
        self.check_keys(m, path, RESOURCE_KEYS, "a resource")
        when = self.text(m, path, "date", required=False)
        if when and not _valid_date(when):
            self.error(
                "bad-value", join_key(path, "date"), f"'{when}' is not YYYY, YYYY-MM or YYYY-MM-DD"
            )
        url = self.text(m, path, "url", required=True)
        # Only web links: a javascript: or file: URL would be rendered as a clickable link.
        if url and not url.startswith(("https://", "http://")):
            self.error("bad-value", join_key(path, "url"), "must start with https:// or http://")
        steps = self.slug_list(m, path, "steps")
        for step_path, step in steps:
            if step and step not in SECURE_STEP_IDS:
                self.error(
                    "unknown-section",
                    step_path,
                    f"'{step}' is not a SECURe action step ({', '.join(SECURE_STEP_IDS)})",
                )
        return Resource(
            id=self.slug(m, path, "id"),
            title=self.text(m, path, "title", required=True),
            publisher=self.text(m, path, "publisher", required=True),
            date=when,
            url=url,
            kind=cast(ResourceKind, self.choice(m, path, "kind", RESOURCE_KINDS)),
            summary=self.text(m, path, "summary", required=True),
            archived=self.flag(m, path, "archived", default=False),
            steps=tuple(step for _, step in steps),
        )


def _valid_date(text: str) -> bool:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
