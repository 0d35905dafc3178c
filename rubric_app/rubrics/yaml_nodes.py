"""Line-aware, safe reading of one YAML file into plain values plus the line of every key path.

This is the *read* step of the loader pipeline. It checks the raw bytes (size, UTF-8, tab
indentation), composes the YAML with a subclass of ``yaml.SafeLoader`` that refuses anchors,
aliases and explicit tags, and converts the node tree itself. Nothing is ever constructed from
a tag, so no YAML construct can run code, and refusing aliases rules out "billion laughs" alias
bombs. Converting the nodes ourselves is what lets every later error name a line: each key
path (``sections[2].items[4].show_if.item``) is recorded with ``start_mark.line + 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ErrorCode, RubricError

MAX_BYTES = 1024 * 1024
#: Deepest nesting accepted. The format needs about ten levels; the limit keeps PyYAML's
#: recursive composer from hitting Python's recursion limit on hostile input like "[[[[...".
MAX_DEPTH = 64

#: Largest integer magnitude accepted: the largest that JSON readers and JavaScript carry exactly
#: (stored definitions are JSON). No rubric number comes near it (weights <= 10, bands 0-100).
MAX_INT = 2**53 - 1
#: Longest integer literal converted at all. Checked on the source text *before* ``int()``, so a
#: 5000-digit literal never reaches Python's int-string conversion limit (a ValueError) nor
#: costs quadratic time; 24 characters fit MAX_INT with a sign, ``0x``/``0o`` prefixes and ``_``.
MAX_INT_TEXT = 24

_YAML = "tag:yaml.org,2002:"
#: Implicitly resolved scalar tags we turn into Python values. Timestamps are deliberately left
#: out: an unquoted 2016-09-08 keeps its source text, which is exactly what the author wrote.
_TYPED_SCALARS = {_YAML + "null", _YAML + "bool", _YAML + "int", _YAML + "float"}


def join_key(path: str, key: str) -> str:
    """The key path of ``key`` inside the mapping at ``path``."""
    return f"{path}.{key}" if path else key


def join_index(path: str, index: int) -> str:
    """The key path of element ``index`` of the list at ``path``."""
    return f"{path}[{index}]"


@dataclass
class Document:
    """One file read into plain values (dict, list, str, int, float, bool, None).

    ``lines`` maps key paths to 1-based lines; ``raw`` keeps the source text of scalars that
    YAML turned into something other than a string, so messages can say "write it as "2016.10"".
    """

    filename: str
    value: Any
    lines: dict[str, int] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[RubricError] = field(default_factory=list)
    #: Paths whose value was refused while reading (an out-of-range number): a later check of
    #: the same path ("expected a number") would only repeat the problem, so it is not recorded.
    refused: set[str] = field(default_factory=set)

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, else of its nearest ancestor that has one (a missing key)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    def error(self, code: ErrorCode, path: str, message: str, line: int | None = None) -> None:
        """Record an error at ``path`` (at ``line`` if given, else the line of the path)."""
        if path in self.refused:
            return
        where = line if line is not None else self.line_of(path)
        self.errors.append(RubricError(code, message, self.filename, where, path))


class _TooDeepError(yaml.MarkedYAMLError):
    """Nesting beyond MAX_DEPTH; reported as a yaml-syntax error."""


class _RefusingLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses anchors, aliases and explicit tags.

    Problems are recorded (not raised) so the rest of the file is still read and every problem
    is reported at once; a refused alias is replaced by an empty value.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[tuple[ErrorCode, str, int]] = []
        self._depth = 0

    def _refuse(self, code: ErrorCode, message: str, mark: Any) -> None:
        line = mark.line + 1 if mark is not None else 1
        self.problems.append((code, message, line))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
            self._refuse(
                "yaml-alias",
                f"aliases (*{event.anchor}) are not allowed: repeat the content instead "
                "(refusing aliases rules out alias bombs)",
                event.start_mark,
            )
            return ScalarNode(_YAML + "null", "", event.start_mark, event.end_mark)
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._refuse(
                "yaml-alias",
                f"anchors (&{anchor}) are not allowed: repeat the content instead "
                "(refusing anchors and aliases rules out alias bombs)",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag
            self._refuse(
                "yaml-tag",
                f"explicit YAML tags ({shown}) are not allowed: write plain values",
                event.start_mark,
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeepError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
            )
        # Anchors are never registered (None), so a later alias can never resolve to a node.
        node: Node | None = None
        if isinstance(event, ScalarEvent):
            node = self.compose_scalar_node({})
        elif isinstance(event, SequenceStartEvent):
            node = self.compose_sequence_node({})
        elif isinstance(event, MappingStartEvent):
            node = self.compose_mapping_node({})
        self._depth -= 1
        return node

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        return super().compose_scalar_node(None)  # type: ignore[arg-type]  # None: never register

    def compose_sequence_node(self, anchor: Any) -> SequenceNode:
        return super().compose_sequence_node(None)  # type: ignore[arg-type]  # see above

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        return super().compose_mapping_node(None)  # type: ignore[arg-type]  # see above


def _check_bytes(data: bytes, document: Document) -> str | None:
    """Decode ``data``, or record why it cannot be read and return None."""
    if len(data) > MAX_BYTES:
        document.error(
            "file-too-large",
            "",
            f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,} (1 MiB)",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        document.error(
            "not-utf8",
            "",
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line,
        )
        return None
    # An editor may add a byte-order mark; it carries no content.
    return text.removeprefix("\ufeff")


def _check_tabs(text: str, document: Document) -> bool:
    """Record every line indented with a tab; YAML forbids them and PyYAML's message is cryptic."""
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            document.error("tab-indent", "", "indent with spaces, not tabs", number)
    return not document.errors


def read_document(text: str | bytes, filename: str) -> Document:
    """Read ``text`` into a :class:`Document`; check ``document.errors`` before using the value.

    After a fatal problem (too large, not UTF-8, tabs, a syntax error) ``value`` is None.
    """
    document = Document(filename, None)
    if isinstance(text, bytes):
        decoded = _check_bytes(text, document)
        if decoded is None:
            return document
        text = decoded
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        document.error("file-too-large", "", f"the file is over {MAX_BYTES:,} bytes (1 MiB)")
        return document
    if not _check_tabs(text, document):
        return document
    loader: _RefusingLoader | None = None
    try:
        # The reader checks for control characters as it is built, so build it inside the try.
        loader = _RefusingLoader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        document.error("yaml-syntax", "", message, mark.line + 1 if mark else None)
        return document
    except yaml.YAMLError as exc:
        # ReaderError (a control character) carries a position, not a mark.
        position = getattr(exc, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else None
        document.error("yaml-syntax", "", str(exc).splitlines()[0], line)
        return document
    finally:
        if loader is not None:
            loader.dispose()
    for code, message, line in loader.problems:
        document.error(code, "", message, line)
    if root is not None:
        document.lines[""] = root.start_mark.line + 1
        document.value = _convert(root, "", loader, document)
    return document


def _convert(node: Node, path: str, loader: _RefusingLoader, document: Document) -> Any:
    if isinstance(node, MappingNode):
        return _convert_mapping(node, path, loader, document)
    if isinstance(node, SequenceNode):
        values = []
        for index, child in enumerate(node.value):
            child_path = join_index(path, index)
            document.lines[child_path] = child.start_mark.line + 1
            values.append(_convert(child, child_path, loader, document))
        return values
    if node.tag in _TYPED_SCALARS:
        if node.tag == _YAML + "int" and len(node.value) > MAX_INT_TEXT:
            return _out_of_range(node, path, document)
        value = loader.construct_object(node, deep=True)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            return _out_of_range(node, path, document)
        if isinstance(value, float) and not math.isfinite(value):
            return _out_of_range(node, path, document)
        if not isinstance(value, str):
            document.raw[path] = str(node.value)
        return value
    # Strings, timestamps (kept as written) and anything tagged (already refused) stay text.
    return str(node.value)


def _out_of_range(node: Node, path: str, document: Document) -> str:
    """Record an unusable number; keep its text (capped) so later checks see a value, not None."""
    text = str(node.value)
    shown = text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
    document.error(
        "number-out-of-range",
        path,
        f"the number {shown} is out of range: numbers must be finite, and integers at most "
        f"{MAX_INT:,} in size",
        node.start_mark.line + 1,
    )
    document.refused.add(path)
    return text[:MAX_INT_TEXT]


def _convert_mapping(
    node: MappingNode, path: str, loader: _RefusingLoader, document: Document
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            document.error(
                "wrong-type", path, "a key must be a plain name, not a list or mapping", line
            )
            continue
        # Keys are names: use the source text so `yes:` or `1:` never turn into True or 1.
        key = str(key_node.value)
        key_path = join_key(path, key)
        if key in result:
            document.error(
                "duplicate-id",
                key_path,
                f"key '{key}' appears twice in this mapping (first on line "
                f"{document.lines.get(key_path, '?')})",
                line,
            )
            continue
        document.lines[key_path] = line
        result[key] = _convert(value_node, key_path, loader, document)
    return result
