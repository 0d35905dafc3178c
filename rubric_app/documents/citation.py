"""How a clause of an agreement is cited in words: "MOU §4.2, p. 3".

One function for every place that cites a clause (the suggestions page, the report and its PDF,
the proposed amendments), so the same clause reads the same everywhere.
"""

from __future__ import annotations

import re

#: A clause number that starts with a digit or a bracket reads after "§" ("§4.2", "§4.2(a)").
_SECTION_LIKE = re.compile(r"^(?:\d|\()")
_SECTION_WORD = re.compile(r"^Section\s+(?=\d)")


def citation_text(label: str, number: str, page: int | None) -> str:
    """Return the citation in words: "MOU §4.2, p. 3", "MOU, preamble", "MOU, Article IV".

    ``page`` is None for Word and text files, which have no pages.
    """
    name = " ".join(label.split()) or "MOU"
    number = " ".join(number.split())
    # "Section 5.1" is the same place as "§5.1"; "Article IV" keeps its word.
    number = _SECTION_WORD.sub("", number)
    if not number:
        place = f"{name}, preamble"
    elif _SECTION_LIKE.match(number):
        place = f"{name} §{number}"
    else:
        place = f"{name}, {number}"
    return f"{place}, p. {page}" if page is not None else place
