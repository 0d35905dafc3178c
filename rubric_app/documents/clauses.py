"""Split a document's pages into clauses along the document's own numbering and headings.

A line opens a clause when it starts with one of the numbering styles agreements use:
``Article IV``, ``Section 5.``, ``§ 5``, decimal ``4.2 Information sharing`` or ``4.``, and
lettered or roman sub-clauses ``(a)``/``(i)``, which take their parent's number
(``4.2(a)``, ``4.2(a)(i)``). What follows the number on the line is the heading when it reads
like one (short, capitalised, no closing full stop) or runs up to a full stop ("Purpose. The
agreement ..."); otherwise it is the start of the clause text. Text before the first numbered
line (title, parties, recitals) is a clause with an empty number. Each clause records the page
it starts on; wrapped lines are joined with spaces (without one after a
line-end hyphen), and "Page 3 of 12" footers are dropped.

A PDF's lines are the printed lines, so a paragraph wraps wherever the page ends a line and a
cross-reference ("as set out in Section 4.02") or a date ("on June 30. The") can land at the
start of one. With ``wrapped_lines`` a numbered line opens a clause only after a line that
ended a thought: a full stop, colon or semicolon (also "; and", "; or"), or a heading; a
heading in capitals that runs over two printed lines is joined again; and what looked like a
heading (a short capitalised line) is taken back into the text when the next line goes on in
lower case. DOCX and plain text keep one paragraph to a line and need none of this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Clause, Page

_ARTICLE = re.compile(r"^(?:ARTICLE|Article)\s+([IVXLC]+|\d{1,2})\b[.:\-\u2013\u2014]?\s*(.*)$")
_SECTION = re.compile(
    r"^(?:SECTION|Section|Sec\.|§)\s*(\d{1,2}(?:\.\d{1,2})*)\b[.:\-\u2013\u2014]?\s*(.*)$"
)
_DECIMAL = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+(\S.*)$")
_WHOLE = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_SUB = re.compile(r"^\(([a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)\s+(\S.*)$")
_LEAD_HEADING = re.compile(r"^([A-Z][^.:;]{0,70})[.:]\s+(\S.*)$")
_FOOTER = re.compile(r"^(?:Page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
_ROMAN = re.compile(r"^[ivx]+$")
# How a line that may be followed by a new clause ends (closing quotes and brackets allowed).
_ENDS_THOUGHT = re.compile(r"(?:[.:;!?]|;\s+(?:and|or))[\"'\u2019\u201d)\]]*$")
_MAX_HEADING_WORDS = 10
_MAX_HEADING_CHARS = 80


@dataclass
class _Open:
    """The clause being collected (mutable while splitting, frozen into a Clause at the end)."""

    number: str
    heading: str
    page: int | None
    lines: list[str] = field(default_factory=list)
    #: The heading is the whole rest of the opening line, found by its look alone (no "Title."
    #: before a sentence): on a printed line it may be a sentence cut by the line's end.
    guessed_heading: bool = False

    def freeze(self) -> Clause:
        text = ""
        for line in self.lines:
            # A line broken after a hyphen ("trauma-" / "informed") rejoins without a space.
            text += line if text.endswith("-") or not text else " " + line
        return Clause(self.number, self.heading, re.sub(r"\s+", " ", text).strip(), self.page)


@dataclass
class _Numbering:
    """Where the splitter is in the document's numbering, to name sub-clauses."""

    parent: str = ""
    letter: str = ""

    def top(self, number: str) -> str:
        self.parent, self.letter = number, ""
        return number

    def sub(self, marker: str) -> str:
        nested = (
            _ROMAN.match(marker) is not None
            and self.letter != ""
            and not _next_letter(self.letter, marker)
        )
        if nested:
            return f"{self.parent}({self.letter})({marker})"
        if not marker.isdigit():
            self.letter = marker
        return f"{self.parent}({marker})"


def split_clauses(pages: Iterable[Page], *, wrapped_lines: bool = False) -> tuple[Clause, ...]:
    """Return the clauses of ``pages`` in document order (empty clauses are dropped).

    ``wrapped_lines``: the lines are printed lines (a PDF's), so a paragraph may continue on
    a line that starts with a number; see the module docstring.
    """
    clauses: list[Clause] = []
    numbering = _Numbering()
    current: _Open | None = None
    awaiting_heading = False
    may_open = True
    for page in pages:
        for raw in page.text.split("\n"):
            line = raw.strip()
            if not line or _FOOTER.match(line):
                continue
            opened = _open_clause(line, page.number, numbering) if may_open else None
            if opened is not None:
                if current is not None:
                    clauses.append(current.freeze())
                current = opened
                awaiting_heading = not opened.heading and not opened.lines
                may_open = not wrapped_lines or not opened.lines or _ends_thought(line)
                continue
            if current is None:
                current = _Open("", "", page.number)
            if awaiting_heading and _reads_as_heading(line):
                # "ARTICLE IV" on one line, "INFORMATION SHARING" on the next.
                current.heading = line
                may_open = True
            elif wrapped_lines and _continues_heading(current, line):
                # A heading in capitals too long for one printed line.
                current.heading = f"{current.heading} {line}"
                may_open = True
            else:
                if wrapped_lines and current.guessed_heading and not current.lines:
                    if line[0].islower():
                        # "(c) The police department ... supervises the" / "officer and ...":
                        # what looked like a heading was a sentence cut by the line's end.
                        current.lines.append(current.heading)
                        current.heading = ""
                    current.guessed_heading = False
                current.lines.append(line)
                may_open = not wrapped_lines or _ends_thought(line) or _reads_as_heading(line)
            awaiting_heading = False
    if current is not None:
        clauses.append(current.freeze())
    return tuple(clause for clause in clauses if clause.number or clause.text)


def _open_clause(line: str, page: int | None, numbering: _Numbering) -> _Open | None:
    if match := _ARTICLE.match(line):
        number = numbering.top(f"Article {match.group(1)}")
    elif match := _SECTION.match(line):
        number = numbering.top(f"Section {match.group(1)}")
    elif (match := _DECIMAL.match(line)) or (match := _WHOLE.match(line)):
        number = numbering.top(match.group(1))
    elif match := _SUB.match(line):
        number = numbering.sub(match.group(1))
    else:
        return None
    rest = match.group(2).strip()
    heading, text = _heading_and_text(rest)
    guessed = bool(heading) and heading == rest
    return _Open(number, heading, page, [text] if text else [], guessed_heading=guessed)


def _heading_and_text(rest: str) -> tuple[str, str]:
    if not rest:
        return "", ""
    lead = _LEAD_HEADING.match(rest)
    if lead and len(lead.group(1).split()) <= _MAX_HEADING_WORDS:
        return lead.group(1).strip(), lead.group(2)
    if _reads_as_heading(rest):
        return rest, ""
    return "", rest


def _reads_as_heading(text: str) -> bool:
    return (
        len(text) <= _MAX_HEADING_CHARS
        and len(text.split()) <= _MAX_HEADING_WORDS
        and text[0].isupper()
        and not text.endswith((".", ",", ";", ":"))
    )


def _continues_heading(current: _Open, line: str) -> bool:
    return (
        not current.lines
        and current.heading.isupper()
        and line.isupper()
        and _reads_as_heading(line)
    )


def _ends_thought(line: str) -> bool:
    return _ENDS_THOUGHT.search(line) is not None


def _next_letter(previous: str, marker: str) -> bool:
    """Whether ``marker`` continues a letter list (``(h)`` then ``(i)``) rather than nesting."""
    return len(previous) == 1 and len(marker) == 1 and ord(marker) == ord(previous) + 1
