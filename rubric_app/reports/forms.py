"""Forms of the action plan and the assessment import."""

from __future__ import annotations

import datetime as dt

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from rubric_app.form_base import Form, LabelAllowed

from .actions import DESCRIPTION_MAX, OWNER_MAX
from .labels import ACTION_STATUS_LABELS

#: The years a due date may fall in.
FIRST_DUE, LAST_DUE = 2000, 2099


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ActionForm(Form):
    """Plan or edit one action; ``item_id`` choices are set per assessment by the view."""

    item_id = SelectField(
        "Item this action addresses",
        validators=[DataRequired("Choose the item this action addresses.")],
        validate_choice=True,
    )
    description = TextAreaField(
        "What will be done",
        description="Plain words: what changes, and how you will know it is done.",
        validators=[
            DataRequired("Describe the action."),
            LabelAllowed(multiline=True),
            Length(max=DESCRIPTION_MAX, message=f"Keep it under {DESCRIPTION_MAX} characters."),
        ],
        filters=[_strip],
    )
    owner = StringField(
        "Owner",
        description="The person or role responsible, e.g. “Assistant superintendent”.",
        validators=[
            Optional(),
            LabelAllowed(),
            Length(max=OWNER_MAX, message=f"Keep it under {OWNER_MAX} characters."),
        ],
        filters=[_strip],
    )
    due_date = DateField(
        "Due date",
        description="Optional.",
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(value, label) for value, label in ACTION_STATUS_LABELS.items()],
        default="planned",
    )

    def validate_due_date(self, field: DateField) -> None:
        # DateField reports "Not a valid date value."; say what to type instead, with an
        # example that is not already past.
        example = f"{dt.date.today().year + 1}-06-30"
        if field.errors:
            field.errors[:] = [f"Enter the due date as year-month-day, e.g. {example}."]
        elif field.data is not None and not FIRST_DUE <= field.data.year <= LAST_DUE:
            # A typo such as 0026 or 20260 is not a plan; older plans' dates still pass.
            raise ValidationError(
                f"Enter a due date between {FIRST_DUE} and {LAST_DUE}, e.g. {example}."
            )


class ImportForm(Form):
    """Upload an assessment exported from another rubric_app server."""

    file = FileField(
        "Exported assessment file (.json)",
        validators=[FileRequired("Choose the .json file exported from the other server.")],
    )
    period = StringField(
        "Period",
        description="Leave empty to keep the period written in the file, e.g. 2026-27.",
        validators=[Optional(), Length(max=20, message="Keep the period under 20 characters.")],
        filters=[_strip],
    )
