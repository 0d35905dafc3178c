"""The rubric error catalogue: every problem the loader can report, each with a code and a place.

The loader never raises a bare ``KeyError`` or a YAML traceback at an author. It collects every
problem in a file as a :class:`RubricError` (code, message, file, line, key path) and raises one
:class:`RubricLoadError` holding all of them, so an author fixes a file in one pass. ``CODES``
is the catalogue itself; ``docs/rubric-format.md`` documents each code (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

#: Every error code with a one-line description. Codes are stable: tooling and docs rely on them.
#: Every error code, as a type: mypy checks each code the loader reports against this list, and a
#: unit test keeps it in step with ``CODES``.
ErrorCode = Literal[
    "file-too-large",
    "missing-file",
    "dangling-link",
    "not-regular-file",
    "unreadable-file",
    "resources-unchecked",
    "not-utf8",
    "tab-indent",
    "yaml-syntax",
    "yaml-alias",
    "yaml-tag",
    "not-mapping",
    "unknown-key",
    "missing-key",
    "wrong-type",
    "number-out-of-range",
    "bad-value",
    "duplicate-id",
    "unknown-scale",
    "unknown-rubric",
    "unknown-item",
    "unknown-resource",
    "unknown-dimension",
    "unknown-stage",
    "missing-stage",
    "unknown-section",
    "show-if-unknown-item",
    "show-if-later-item",
    "missing-recommendation",
    "weight-out-of-range",
    "levels-gap",
    "levels-overlap",
    "levels-range",
    "scale-options",
    "secure-sections",
]

CODES: dict[ErrorCode, str] = {
    "file-too-large": "the file is over 1 MiB (checked before it is read)",
    "missing-file": "a file or directory to check does not exist, or resources.yaml is missing",
    "dangling-link": "a symbolic link whose target does not exist",
    "not-regular-file": "a directory, FIFO, device or socket where a file is expected",
    "unreadable-file": "the file cannot be opened or read (permissions, a symlink loop...)",
    "resources-unchecked": (
        "resource ids were not checked: no resources.yaml found, or it has errors"
    ),
    "not-utf8": "the file is not valid UTF-8",
    "tab-indent": "a line is indented with a tab",
    "yaml-syntax": "the YAML cannot be parsed",
    "yaml-alias": "anchors and aliases (&name, *name) are refused, which rules out alias bombs",
    "yaml-tag": "explicit tags such as !!python/object are refused",
    "not-mapping": "the top of the file is not a mapping of keys to values",
    "unknown-key": "a key the format does not define (often a typo)",
    "missing-key": "a required key is absent",
    "wrong-type": "a value has the wrong type (e.g. a list where text is expected)",
    "number-out-of-range": "an integer beyond 2**53 - 1 in size, or a number that is not finite",
    "bad-value": "a value has the right type but is not allowed (bad slug, enum value, empty...)",
    "duplicate-id": "an id, option key or mapping key is used twice",
    "unknown-scale": "an item names a scale the rubric does not define",
    "unknown-rubric": "a national figure names a rubric id the catalog does not have",
    "unknown-item": "a national figure names an item its rubric does not have",
    "unknown-resource": "a resource id that resources.yaml does not define",
    "unknown-dimension": "a dimension id the rubric does not define or the item is not rated on",
    "unknown-stage": "an item names a stage the rubric does not define",
    "missing-stage": "the rubric has stages but an item names none",
    "unknown-section": "a resource names an action step that is not a SECURe section id",
    "show-if-unknown-item": "show_if refers to an item the rubric does not define",
    "show-if-later-item": "show_if refers to the item itself or to an item below it",
    "missing-recommendation": (
        "an item rated on two or more dimensions lacks the advice for one of them"
    ),
    "weight-out-of-range": "an item weight is not > 0 and <= 10",
    "levels-gap": "the scoring levels leave part of 0-100 uncovered",
    "levels-overlap": "two scoring levels overlap, or are not listed lowest first",
    "levels-range": "a scoring level's band is outside 0-100 or has min above max",
    "scale-options": "a scale has fewer than two options or two options worth the same points",
    "secure-sections": (
        "a SECURe-family rubric does not use the five action-step section ids in order"
    ),
}


@dataclass(frozen=True)
class RubricError:
    """One problem in one file.

    ``path`` is the key path inside the document, e.g. ``sections[2].items[4].show_if.item``
    (list indexes count from 0); it is empty for problems with the file as a whole.
    ``line`` counts from 1 and is ``None`` when no line applies (e.g. the file is too large).
    """

    code: ErrorCode
    message: str
    file: str
    line: int | None
    path: str

    def __str__(self) -> str:
        # The compiler-style "file:line:" prefix lets editors and CI annotations jump to the line.
        location = self.file if self.line is None else f"{self.file}:{self.line}"
        where = f"{location}: {self.path}:" if self.path else f"{location}:"
        return f"{where} {self.message} [{self.code}]"


class RubricLoadError(Exception):
    """Raised with every problem found, never just the first."""

    def __init__(self, errors: Iterable[RubricError]) -> None:
        self.errors: list[RubricError] = list(errors)
        count = len(self.errors)
        summary = f"{count} rubric error{'s' if count != 1 else ''}"
        super().__init__("\n".join([summary, *(str(error) for error in self.errors)]))
