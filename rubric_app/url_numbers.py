"""Numbers read from URLs: ids in paths and ids and page numbers in query strings.

A number in a URL is accepted only as ASCII digits within range. ``str.isdigit`` and ``int``
are both too generous: ``"²".isdigit()`` is true but ``int("²")`` raises, ``int("٣")`` is 3, and
a 20-digit id raises OverflowError in SQLite and "integer out of range" in PostgreSQL. So:

- path ids: the app's ``int`` converter is replaced by ``BoundedIntConverter`` (ASCII digits
  already, as werkzeug's; and at most ``MAX_ID``), so ``/assessments/99999999999999999999``
  matches no route and answers 404, like any id that does not exist;
- query strings: ``ascii_number`` reads one value (None when it is not a number in range) and
  ``page_number`` reads ``?page=`` for the paginated pages (400 with a message otherwise;
  ``requested_page`` gives None instead, for a page that shows its own message, like the state
  dashboard, whose filters are never an error page).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

#: Largest id: PostgreSQL's ``integer`` (the type of every primary key) stops here.
MAX_ID = 2**31 - 1
#: Largest page number asked for; far past the last page of any list, and its offset still
#: fits the databases' integers.
MAX_PAGE = 1_000_000

_ASCII_DIGITS = re.compile(r"[0-9]{1,20}")


class BoundedIntConverter(IntegerConverter):
    """werkzeug's ``int`` converter (ASCII digits, no sign) with ``max`` defaulting to MAX_ID."""

    def __init__(
        self,
        # werkzeug's own argument names, so <int(min=1):x> keeps working.
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def ascii_number(text: str | None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """``text`` as an int when it is ASCII digits between ``low`` and ``high``, else None."""
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


PAGE_MESSAGE = f"The page number must be a whole number from 1 to {MAX_PAGE:,}."


def requested_page(name: str = "page") -> int | None:
    """The page asked for in the query string: 1 when absent, None when not a page number."""
    raw: Any = request.args.get(name)
    if raw is None or raw == "":
        return 1
    return ascii_number(raw, high=MAX_PAGE)


def page_number(name: str = "page") -> int:
    """The page asked for in the query string: 1 when absent, 400 when not a page number."""
    number = requested_page(name)
    if number is None:
        abort(400, description=PAGE_MESSAGE)
    return number


def init_app(app: Flask) -> None:
    """Use the bounded converter for every ``<int:...>`` (before the blueprints add rules)."""
    app.url_map.converters["int"] = BoundedIntConverter
