"""Reads an item's ``model_language``: the clause a district could adopt to close a written gap.

The text goes verbatim into a Word document ("Proposed MOU amendments") and onto pages, so it
must be plain prose: not empty, short enough to stay a clause (``MAX_MODEL_LANGUAGE``
characters), no HTML or template markup, and no control characters (which Word's XML cannot
hold). Only scored items take it: only they can be gaps. Errors are coded and located like every
other loader error (``bad-value``, ``wrong-type``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .fields import Fields
from .yaml_nodes import join_key

#: About three long sentences. A model clause longer than this is a section of its own, which
#: the amendments document cannot present as one proposed change.
MAX_MODEL_LANGUAGE = 600

#: An HTML or XML tag, comment or declaration ("<b>", "</p>", "<!--", "<?xml"), or a Jinja
#: delimiter ("{{", "{%", "{#"). A lone "<" in prose ("fewer than 5 < 10") is left alone.
_MARKUP_RE = re.compile(r"<\s*[A-Za-z/!?]|\{[{%#]")


def read_model_language(fields: Fields, m: dict[str, Any], path: str, *, scored: bool) -> str:
    """Return the item's checked ``model_language`` ("" if absent), recording any error."""
    if "model_language" not in m:
        return ""
    key_path = join_key(path, "model_language")
    text = fields.text_value(m["model_language"], key_path)
    if not text:
        return ""  # Already reported (wrong type or empty).
    problem = _problem(text, scored=scored)
    if problem:
        fields.error("bad-value", key_path, problem)
        return ""
    # Folded YAML keeps single line breaks in some styles; a clause is one paragraph.
    return " ".join(text.split())


def _problem(text: str, *, scored: bool) -> str:
    if not scored:
        return "only scored items take model_language (only they can be gaps)"
    if len(text) > MAX_MODEL_LANGUAGE:
        return (
            f"model_language is {len(text)} characters; keep it to at most "
            f"{MAX_MODEL_LANGUAGE} (one to three sentences)"
        )
    found = _MARKUP_RE.search(text)
    if found:
        return f"model_language is plain text: remove the markup starting {found.group(0)!r}"
    for char in text:
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs"):
            return f"model_language holds the control character U+{ord(char):04X}"
    return ""
