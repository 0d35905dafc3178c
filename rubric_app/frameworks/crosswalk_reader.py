"""Normalises one crosswalk document into a Crosswalk, checking both sides' items.

Part of the loader pipeline (see ``loader.py``). A crosswalk names a rubric id and version on
each side; with the known rubric versions given, each side must be one of them and every paired
item must exist in its side's version. A pair is one-to-one: an item appears at most once per
side, so a compare row or a trend line never has two partners. Errors are collected, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from rubric_app.rubrics.fields import Fields
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.yaml_nodes import Document, join_key

from .model import MATCHES, Crosswalk, ItemPair, Match, RubricRef
from .references import check_item

CROSSWALK_KEYS = ("id", "title", "from", "to", "note", "pairs")
SIDE_KEYS = ("rubric", "version")
PAIR_KEYS = ("from", "to", "match", "topic", "note")

#: Known rubric versions by ``(rubric id, version)``.
RubricVersions = Mapping[tuple[str, str], Rubric]


class CrosswalkReader(Fields):
    """Normalises one crosswalk; ``versions=None`` leaves item references unchecked."""

    def __init__(self, document: Document, versions: RubricVersions | None) -> None:
        super().__init__(document)
        self.versions = versions

    def read(self) -> Crosswalk | None:
        root = self.document.value
        if not isinstance(root, dict):
            self.error(
                "not-mapping", "", "the top of a crosswalk file must be a mapping (id: ..., ...)"
            )
            return None
        self.check_keys(root, "", CROSSWALK_KEYS, "the crosswalk")
        source, source_rubric = self._side(root, "from")
        target, target_rubric = self._side(root, "to")
        if source is not None and source == target:
            self.error("bad-value", "to", "both sides name the same rubric version")
        return Crosswalk(
            id=self.slug(root, "", "id"),
            title=self.text(root, "", "title", required=True),
            source=source or RubricRef("", ""),
            target=target or RubricRef("", ""),
            note=self.text(root, "", "note", required=False),
            pairs=self._pairs(root, source_rubric, target_rubric),
        )

    def _side(self, root: dict[str, Any], key: str) -> tuple[RubricRef | None, Rubric | None]:
        if key not in root:
            self.error("missing-key", key, f"'{key}' is required (rubric and version)")
            return None, None
        side = self.mapping(root[key], key, "rubric and version")
        if side is None:
            return None, None
        self.check_keys(side, key, SIDE_KEYS, f"the '{key}' side")
        ref = RubricRef(
            self.slug(side, key, "rubric"), self.text(side, key, "version", required=True)
        )
        if self.versions is None or not ref.rubric or not ref.version:
            return ref, None
        rubric = self.versions.get((ref.rubric, ref.version))
        if rubric is None:
            known = sorted(
                version for rubric_id, version in self.versions if rubric_id == ref.rubric
            )
            hint = f"known versions: {', '.join(known)}" if known else "no such rubric"
            self.error(
                "unknown-rubric",
                join_key(key, "version"),
                f"no rubric '{ref.rubric}' at version {ref.version} ({hint})",
            )
        return ref, rubric

    def _pairs(
        self, root: dict[str, Any], source: Rubric | None, target: Rubric | None
    ) -> tuple[ItemPair, ...]:
        seen_source: dict[str, str] = {}
        seen_target: dict[str, str] = {}
        pairs: list[ItemPair] = []
        for path, value in self.elements(root, "", "pairs", required=True, min_items=1):
            mapping = self.mapping(value, path, "a pair: from, to")
            if mapping is None:
                continue
            self.check_keys(mapping, path, PAIR_KEYS, "a pair")
            source_item = self.slug(mapping, path, "from")
            target_item = self.slug(mapping, path, "to")
            self.unique(seen_source, source_item, join_key(path, "from"), "'from' item")
            self.unique(seen_target, target_item, join_key(path, "to"), "'to' item")
            if source is not None:
                check_item(self, source, source_item, join_key(path, "from"), "the 'from' rubric")
            if target is not None:
                check_item(self, target, target_item, join_key(path, "to"), "the 'to' rubric")
            topic = self.slug(mapping, path, "topic", required=False)
            pairs.append(
                ItemPair(
                    source=source_item,
                    target=target_item,
                    match=cast(Match, self.choice(mapping, path, "match", MATCHES, default="same")),
                    topic=topic,
                    note=self.text(mapping, path, "note", required=False),
                )
            )
        return tuple(pairs)
