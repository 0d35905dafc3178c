"""Recognise input no honest client sends: JSON nested too deep to parse safely, control
characters, and lone surrogates. Pure functions; the form layer, the JSON body guard, the
importer and the exports decide what to do with what these find.

The rule for typed text (applied by ``rubric_app.forms.Form`` on every text field):

- C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F) are **refused with a message**,
  never silently stripped, so nothing typed is lost without the user seeing why. Multi-line
  fields (text areas) accept tab, line feed and carriage return, which browsers send for
  pasted and typed line breaks; single-line fields accept none, because a line break in a name
  or subject is how mail headers get injected.
- Lone surrogates (U+D800-U+DFFF alone, which only a hand-made JSON ``"\\ud800"`` can carry)
  are refused everywhere: they cannot be encoded as UTF-8, so no database, file or mail can
  hold them.

The exports and the mailer strip what slipped through anyway (text stored before this rule), as
a second line of defence: ``strip_control_characters``.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

#: Deepest JSON nesting accepted. Forms post flat objects (depth 2) and exports nest about 4 deep.
MAX_JSON_DEPTH = 32

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON string: its brackets do not nest anything. Possessive, so long strings never backtrack.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_nesting_depth(raw: bytes) -> int:
    """Return how deep arrays and objects nest in ``raw``, without parsing it.

    A linear scan of the brackets outside strings, so a body of thousands of brackets (which
    makes ``json.loads`` raise RecursionError) is measured in C speed and never parsed.
    Unbalanced or invalid JSON still gets a number; the parser reports what is wrong with it.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``raw`` nests arrays and objects deeper than ``limit``."""
    return json_nesting_depth(raw) > limit


def first_control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character ``text`` may not hold, or None (see the module docstring)."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return found.group() if found else None


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point, which UTF-8 cannot encode."""
    return _SURROGATE.search(text) is not None


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Say in plain words what in ``text`` cannot be kept, or None when all of it can."""
    if has_lone_surrogate(text):
        return "contains a broken character (a lone surrogate) that cannot be stored"
    control = first_control_character(text, multiline=multiline)
    if control is not None:
        return (
            f"contains an invisible control character (U+{ord(control):04X}) that cannot be "
            "stored; remove it, for example by typing the text again instead of pasting it"
        )
    return None


#: Alphabets with letters that look like each other's (Latin "a" and Cyrillic U+0430).
_LOOKALIKE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})


def label_problem(text: str, *, multiline: bool = False) -> str | None:
    """Say what makes ``text``, a short label others read (an assessment's title or period, an
    action's owner, a document's short name; ``multiline``: an action's description, which the
    board summary shows as its line), unfit, or None.

    What ``text_problem`` finds, then invisible formatting characters (Unicode category Cf:
    zero-width spaces and joiners, right-to-left overrides), which print a label backwards
    ("6202 weiver UOM") or make it blank on every page, PDF and export that shows it.
    """
    problem = text_problem(text, multiline=multiline)
    if problem is not None:
        return problem
    for char in text:
        if unicodedata.category(char) == "Cf":
            return (
                f"contains an invisible formatting character (U+{ord(char):04X}); type it "
                "again instead of pasting it"
            )
    return None


def name_problem(name: str) -> str | None:
    """Say what makes ``name`` (of a person or an organization) unfit, or None.

    First what ``label_problem`` finds (control and invisible formatting characters, which make
    a name blank or print it backwards); then a name mixing letters of alphabets that look
    alike, the way an impostor copies a real name ("Coalition" with a Cyrillic U+0456 for its
    "i"). One alphabet besides digits and punctuation is what every real name here needs.
    Labels are not held to that: a title may quote a name in another alphabet, and nobody
    proves who they are by an assessment's title.
    """
    problem = label_problem(name)
    if problem is not None:
        return problem
    scripts = {
        unicodedata.name(char, "").split(" ", 1)[0] for char in name if char.isalpha()
    } & _LOOKALIKE_SCRIPTS
    if len(scripts) > 1:
        named = " and ".join(sorted(script.title() for script in scripts))
        return f"mixes {named} letters, which can look alike; write it in one alphabet"
    return None


def strip_control_characters(text: str, *, multiline: bool = False) -> str:
    """Return ``text`` without control characters and lone surrogates (for output, not input).

    Single-line output (a mail header, a spreadsheet cell) gets each line break or tab as one
    space, so words on either side stay apart.
    """
    text = _SURROGATE.sub("\ufffd", text)
    if multiline:
        return _CONTROL_MULTILINE.sub("", text)
    return _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)
