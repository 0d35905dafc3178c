"""Typed, error-collecting access to the mappings of a read YAML document.

This is the *normalise* step's toolkit. Each getter returns a value of the promised type (the
default, or a harmless placeholder when the value is wrong) and records a coded error instead
of raising, so the loader can keep going and report every problem of a file at once.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterator
from typing import Any

from .errors import ErrorCode
from .yaml_nodes import Document, join_index, join_key

#: Ids and keys: lowercase slugs, short enough for URLs and database columns.
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
SLUG_HINT = "a lowercase slug: letters a-z, digits and '-', starting with a letter or digit"

_MISSING = object()


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing (an empty value)"


class Fields:
    """Getters over the mappings of one :class:`Document`; errors go to ``document.errors``."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def error(self, code: ErrorCode, path: str, message: str) -> None:
        self.document.error(code, path, message)

    def wrong_type(self, path: str, value: Any, expected: str) -> None:
        raw = self.document.raw.get(path)
        message = f"expected {expected}, found {_type_name(value)}"
        if expected == "text" and raw is not None and isinstance(value, bool | int | float):
            # YAML 1.1 reads unquoted yes/no/on/off as booleans and 2016.10 as the number
            # 2016.1: say so rather than silently keep a value the author did not write.
            message += f' (YAML reads {raw} unquoted as {_type_name(value)}); quote it: "{raw}"'
        self.error("wrong-type", path, message)

    def mapping(self, value: Any, path: str, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.wrong_type(path, value, f"a mapping ({what})")
        return None

    def check_keys(
        self, mapping: dict[str, Any], path: str, allowed: Collection[str], what: str
    ) -> None:
        """Report every key of ``mapping`` that is not in ``allowed``, suggesting a near match."""
        for key in mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            known = ", ".join(sorted(allowed))
            self.error(
                "unknown-key",
                join_key(path, key),
                f"unknown key '{key}' in {what}{hint} (known keys: {known})",
            )

    def _get(self, mapping: dict[str, Any], path: str, key: str, required: bool) -> Any:
        if key in mapping:
            return mapping[key]
        if required:
            self.error("missing-key", join_key(path, key), f"'{key}' is required")
        return _MISSING

    def text(
        self, mapping: dict[str, Any], path: str, key: str, *, required: bool, default: str = ""
    ) -> str:
        value = self._get(mapping, path, key, required)
        if value is _MISSING:
            return default
        return self.text_value(value, join_key(path, key))

    def text_value(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.wrong_type(path, value, "text")
            return ""
        if not value.strip():
            self.error("bad-value", path, "must not be empty")
            return ""
        return value.strip()

    def slug(self, mapping: dict[str, Any], path: str, key: str, *, required: bool = True) -> str:
        value = self._get(mapping, path, key, required)
        if value is _MISSING:
            return ""
        return self.slug_value(value, join_key(path, key))

    def slug_value(self, value: Any, path: str) -> str:
        text = self.text_value(value, path)
        if text and not SLUG_RE.fullmatch(text):
            self.error("bad-value", path, f"'{text}' is not {SLUG_HINT} (at most 64 characters)")
        return text

    def choice(
        self,
        mapping: dict[str, Any],
        path: str,
        key: str,
        allowed: Collection[str],
        *,
        default: str | None = None,
    ) -> str:
        value = self._get(mapping, path, key, default is None)
        if value is _MISSING:
            return default or ""
        return self.choice_value(value, join_key(path, key), allowed)

    def choice_value(self, value: Any, path: str, allowed: Collection[str]) -> str:
        text = self.text_value(value, path)
        if text and text not in allowed:
            self.error("bad-value", path, f"'{text}' is not one of: {', '.join(allowed)}")
        return text

    def flag(self, mapping: dict[str, Any], path: str, key: str, *, default: bool) -> bool:
        value = self._get(mapping, path, key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.wrong_type(join_key(path, key), value, "true or false")
            return default
        return value

    def number(
        self, mapping: dict[str, Any], path: str, key: str, *, default: float | None = None
    ) -> float:
        value = self._get(mapping, path, key, default is None)
        if value is _MISSING:
            return default if default is not None else 0.0
        # bool is a subclass of int in Python; `weight: yes` must not count as 1.
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(join_key(path, key), value, "a number")
            return default if default is not None else 0.0
        if not math.isfinite(value):
            self.error("bad-value", join_key(path, key), "must be a finite number")
            return default if default is not None else 0.0
        return float(value)

    def elements(
        self, mapping: dict[str, Any], path: str, key: str, *, required: bool, min_items: int = 0
    ) -> Iterator[tuple[str, Any]]:
        """Yield ``(path, element)`` for each element of the list at ``key``."""
        value = self._get(mapping, path, key, required)
        if value is _MISSING:
            return
        list_path = join_key(path, key)
        if not isinstance(value, list):
            self.wrong_type(list_path, value, "a list")
            return
        if len(value) < min_items:
            self.error(
                "bad-value",
                list_path,
                f"needs at least {min_items} entr" + ("y" if min_items == 1 else "ies"),
            )
        for index, element in enumerate(value):
            yield join_index(list_path, index), element

    def text_list(
        self,
        mapping: dict[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        min_items: int = 0,
    ) -> tuple[str, ...]:
        return tuple(
            self.text_value(element, element_path)
            for element_path, element in self.elements(
                mapping, path, key, required=required, min_items=min_items
            )
        )

    def slug_list(
        self,
        mapping: dict[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        min_items: int = 0,
        allowed: Collection[str] | None = None,
    ) -> tuple[tuple[str, str], ...]:
        """``(path, slug)`` pairs of a list of ids; repeated ids are ``duplicate-id`` errors."""
        seen: set[str] = set()
        result: list[tuple[str, str]] = []
        for element_path, element in self.elements(
            mapping, path, key, required=required, min_items=min_items
        ):
            slug = (
                self.slug_value(element, element_path)
                if allowed is None
                else self.choice_value(element, element_path, allowed)
            )
            if slug in seen:
                self.error("duplicate-id", element_path, f"'{slug}' is listed twice")
            seen.add(slug)
            result.append((element_path, slug))
        return tuple(result)

    def unique(self, seen: dict[str, str], identifier: str, path: str, what: str) -> None:
        """Record ``identifier`` at ``path``; report ``duplicate-id`` if ``seen`` has it already."""
        if not identifier:
            return
        if identifier in seen:
            first = self.document.line_of(seen[identifier])
            self.error(
                "duplicate-id",
                path,
                f"{what} id '{identifier}' is already used (line {first}, {seen[identifier]})",
            )
        else:
            seen[identifier] = path
