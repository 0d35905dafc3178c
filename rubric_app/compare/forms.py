"""The comparison pages' query string: which assessments to compare (``ids=1,2`` or repeated)."""

from __future__ import annotations

from typing import Any

from wtforms import Field, HiddenField
from wtforms.validators import StopValidation

from rubric_app.form_base import QueryForm
from rubric_app.scoring import MAX_COMPARED, MIN_COMPARED
from rubric_app.url_numbers import ascii_number


class AssessmentIdsField(Field):
    """Assessment numbers, comma-separated or repeated, in order and without repeats."""

    data: list[int]
    parts: tuple[str, ...] = ()

    def process_formdata(self, valuelist: list[Any]) -> None:
        stripped = (part.strip() for value in valuelist for part in str(value).split(","))
        self.parts = tuple(part for part in stripped if part)
        numbers = [ascii_number(part) for part in self.parts]
        self.data = []
        for number in numbers:
            if number is not None and number not in self.data:
                self.data.append(number)

    def pre_validate(self, form: Any) -> None:
        # ASCII digits in id range only: "²" passes str.isdigit, and 20 digits overflow the
        # database. Every bad part is named, then the count is checked.
        bad = [f"“{part}” is not an assessment number." for part in self.parts if not _ok(part)]
        if bad:
            self.errors.extend(bad)
            raise StopValidation()
        if len(self.data) < MIN_COMPARED:
            raise StopValidation(f"Choose at least {MIN_COMPARED} assessments to compare.")
        if len(self.data) > MAX_COMPARED:
            raise StopValidation(
                f"Choose at most {MAX_COMPARED} assessments to compare "
                f"(you chose {len(self.data)})."
            )


def _ok(part: str) -> bool:
    return ascii_number(part) is not None


class CompareQuery(QueryForm):
    """``ids``: the assessments to compare, 2 to 4 of them; ``chosen``: sent by the chooser's
    Compare button, so pressing it with nothing ticked (no ``ids`` at all in the query string)
    is told apart from opening the page, and gets the same message as ticking one."""

    ids = AssessmentIdsField("Assessments")
    chosen = HiddenField()

    def asked(self) -> bool:
        """Whether the chooser was sent or ``ids`` given (else the page shows the chooser)."""
        return bool(self.ids.raw_data or self.chosen.raw_data)
