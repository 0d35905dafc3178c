"""Normalises one framework document into a Framework, checking its item references.

Part of the loader pipeline (see ``loader.py``). Types, ids and shapes are checked here; when
the rubrics are given, every mapped rubric, item and dimension must exist (``references``).
Errors are collected on the document with their line and key path, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from rubric_app.rubrics.fields import Fields
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.yaml_nodes import Document, join_key
from rubric_app.us_states import is_state_code

from .model import (
    FEDERAL,
    STATUSES,
    Framework,
    ItemCheck,
    NotChecked,
    Requirement,
    RubricRule,
    Status,
)
from .references import check_dimensions, check_item, check_rule_item

FRAMEWORK_KEYS = (
    "id", "title", "jurisdiction", "citation", "text_date", "sources", "status", "note",
    "requirements", "not_checked",
)  # fmt: skip
REQUIREMENT_KEYS = ("id", "citation", "statement", "source", "status", "rules", "mapping_note")
RULE_KEYS = ("rubric", "items")
CHECK_KEYS = ("item", "dimensions")
NOT_CHECKED_KEYS = ("citation", "statement", "reason")

#: The date of the encoded text: a year, a year and month, a full ISO date, or "unknown" (the
#: source did not say which version of the text it shows).
TEXT_DATE_RE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?|unknown")
#: Sources are web addresses a reader can open.
URL_RE = re.compile(r"https?://\S+")


class FrameworkReader(Fields):
    """Normalises one framework document; ``rubrics=None`` leaves item references unchecked."""

    def __init__(self, document: Document, rubrics: Mapping[str, Rubric] | None) -> None:
        super().__init__(document)
        self.rubrics = rubrics

    def read(self) -> Framework | None:
        root = self.document.value
        if not isinstance(root, dict):
            self.error(
                "not-mapping", "", "the top of a framework file must be a mapping (id: ..., ...)"
            )
            return None
        self.check_keys(root, "", FRAMEWORK_KEYS, "the framework")
        sources = self._sources(root)
        status = cast(Status, self.choice(root, "", "status", STATUSES))
        return Framework(
            id=self.slug(root, "", "id"),
            title=self.text(root, "", "title", required=True),
            jurisdiction=self._jurisdiction(root),
            citation=self.text(root, "", "citation", required=True),
            text_date=self._text_date(root),
            sources=sources,
            status=status,
            note=self._note(root, status),
            requirements=self._requirements(root, sources, status),
            not_checked=self._not_checked(root),
        )

    def _note(self, root: dict[str, Any], status: str) -> str:
        note = self.text(root, "", "note", required=True)
        # A partial list must say so where readers see it, not only in a status code.
        if note and status == "partial" and "partial" not in note.lower():
            self.error(
                "bad-value",
                "note",
                "the status is 'partial': say in the note that the list of elements is "
                'incomplete (e.g. start it with "PARTIAL:")',
            )
        return note

    def _jurisdiction(self, root: dict[str, Any]) -> str:
        value = self.text(root, "", "jurisdiction", required=True)
        if value and value != FEDERAL and not is_state_code(value):
            self.error(
                "bad-value",
                "jurisdiction",
                f"'{value}' is neither a two-letter state code in capitals (e.g. WA) "
                f"nor '{FEDERAL}'",
            )
        return value

    def _text_date(self, root: dict[str, Any]) -> str:
        value = self.text(root, "", "text_date", required=True)
        if value and not TEXT_DATE_RE.fullmatch(value):
            self.error(
                "bad-value",
                "text_date",
                f'\'{value}\' is not a date: write "2021", "2021-07", "2021-07-01" (quoted) '
                'or "unknown"',
            )
        return value

    def _sources(self, root: dict[str, Any]) -> tuple[str, ...]:
        sources: list[str] = []
        for path, value in self.elements(root, "", "sources", required=True, min_items=1):
            address = self.text_value(value, path)
            if address and not URL_RE.fullmatch(address):
                self.error("bad-value", path, f"'{address}' is not a web address (https://...)")
            if address in sources:
                self.error("duplicate-id", path, f"source '{address}' is listed twice")
            sources.append(address)
        return tuple(sources)

    def _requirements(
        self, root: dict[str, Any], sources: tuple[str, ...], status: Status
    ) -> tuple[Requirement, ...]:
        seen: dict[str, str] = {}
        requirements: list[Requirement] = []
        for path, value in self.elements(root, "", "requirements", required=True, min_items=1):
            mapping = self.mapping(value, path, "a requirement")
            if mapping is None:
                continue
            self.check_keys(mapping, path, REQUIREMENT_KEYS, "a requirement")
            identifier = self.slug(mapping, path, "id")
            self.unique(seen, identifier, join_key(path, "id"), "requirement")
            requirements.append(
                Requirement(
                    id=identifier,
                    citation=self.text(mapping, path, "citation", required=True),
                    statement=self.text(mapping, path, "statement", required=True),
                    source=self._source(mapping, path, sources),
                    status=cast(
                        Status, self.choice(mapping, path, "status", STATUSES, default=status)
                    ),
                    rules=self._rules(mapping, path),
                    mapping_note=self.text(mapping, path, "mapping_note", required=False),
                )
            )
        return tuple(requirements)

    def _source(self, mapping: dict[str, Any], path: str, sources: tuple[str, ...]) -> str:
        source = self.text(mapping, path, "source", required=True)
        if source and sources and source not in sources:
            self.error(
                "bad-value",
                join_key(path, "source"),
                f"'{source}' is not one of the framework's sources; list it under 'sources'",
            )
        return source

    def _rules(self, mapping: dict[str, Any], path: str) -> tuple[RubricRule, ...]:
        seen: dict[str, str] = {}
        rules: list[RubricRule] = []
        for rule_path, value in self.elements(mapping, path, "rules", required=True, min_items=1):
            rule = self.mapping(value, rule_path, "a rule: rubric and items")
            if rule is None:
                continue
            self.check_keys(rule, rule_path, RULE_KEYS, "a rule")
            rubric_id = self.slug(rule, rule_path, "rubric")
            self.unique(seen, rubric_id, join_key(rule_path, "rubric"), "rubric")
            rubric = self._rubric(rubric_id, join_key(rule_path, "rubric"))
            rules.append(RubricRule(rubric_id, self._checks(rule, rule_path, rubric)))
        return tuple(rules)

    def _rubric(self, rubric_id: str, path: str) -> Rubric | None:
        if self.rubrics is None or not rubric_id:
            return None
        rubric = self.rubrics.get(rubric_id)
        if rubric is None:
            known = ", ".join(sorted(self.rubrics)) or "none"
            self.error("unknown-rubric", path, f"no rubric '{rubric_id}' (known: {known})")
        return rubric

    def _checks(
        self, rule: dict[str, Any], path: str, rubric: Rubric | None
    ) -> tuple[ItemCheck, ...]:
        seen: dict[str, str] = {}
        checks: list[ItemCheck] = []
        for check_path, value in self.elements(rule, path, "items", required=True, min_items=1):
            if isinstance(value, dict):
                self.check_keys(value, check_path, CHECK_KEYS, "an item check")
                item_path = join_key(check_path, "item")
                item_id = self.slug(value, check_path, "item")
                dimensions = self.slug_list(value, check_path, "dimensions", min_items=1)
            else:
                # The short form: a bare item id means "every dimension of this item".
                item_path = check_path
                item_id = self.slug_value(value, check_path)
                dimensions = ()
            self.unique(seen, item_id, item_path, "item")
            if rubric is not None:
                item = check_item(self, rubric, item_id, item_path, "this rubric")
                if item is not None:
                    check_rule_item(self, item, item_path)
                    check_dimensions(self, item, dimensions)
            checks.append(ItemCheck(item_id, tuple(dim for _, dim in dimensions)))
        return tuple(checks)

    def _not_checked(self, root: dict[str, Any]) -> tuple[NotChecked, ...]:
        entries: list[NotChecked] = []
        for path, value in self.elements(root, "", "not_checked", required=False):
            mapping = self.mapping(value, path, "an element no item checks")
            if mapping is None:
                continue
            self.check_keys(mapping, path, NOT_CHECKED_KEYS, "a not_checked entry")
            entries.append(
                NotChecked(
                    citation=self.text(mapping, path, "citation", required=True),
                    statement=self.text(mapping, path, "statement", required=True),
                    reason=self.text(mapping, path, "reason", required=True),
                )
            )
        return tuple(entries)
