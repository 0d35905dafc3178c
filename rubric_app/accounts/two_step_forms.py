"""Forms of the two-step sign-in pages: the code at sign-in, enrolment, proof of identity for
turning it off or making new recovery codes, and the organization's requirement.

Kept apart from ``forms.py`` because they belong to one feature; like every form here they only
check the shape of what was typed, and ``two_step`` decides whether a code is right.
"""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from rubric_app.accounts.forms import strip_whitespace
from rubric_app.form_base import Form


class TwoStepCodeForm(Form):
    """The second step at sign-in: a code from the app, or one recovery code."""

    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code from your authenticator app."), Length(max=40)],
        filters=[strip_whitespace],
        description=(
            "The 6-digit code your authenticator app shows now. Lost your phone? Enter one of "
            "your recovery codes instead (like abcd-efgh-jkmn-pqrs)."
        ),
        render_kw={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


def _first_code(label: str, missing: str, description: str) -> StringField:
    """The field for a newly added app's first code (set-up, or a new phone)."""
    return StringField(
        label,
        validators=[DataRequired(missing), Length(max=20)],
        filters=[strip_whitespace],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class EnrolForm(Form):
    """The first code from the app, which proves it was set up right."""

    code = _first_code(
        "Code from your app",
        "Enter the 6-digit code your app shows.",
        "6 digits; the app shows a new one every 30 seconds.",
    )


class MoveForm(Form):
    """The first code from the new phone, which finishes moving two-step sign-in to it."""

    code = _first_code(
        "Code from the app on your new phone",
        "Enter the 6-digit code the new phone shows.",
        "6 digits, from the account you just added on the new phone.",
    )


class ProofForm(Form):
    """The password or a fresh app code, asked again before changing two-step sign-in."""

    proof = PasswordField(
        "Your password, or a code from your authenticator app",
        validators=[
            DataRequired("Enter your password or a code from your app."),
            Length(max=1000),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class RequireTwoStepForm(Form):
    """The owners' setting on the organization page (prefix "two-step": the page has other
    forms, and their CSRF fields must not share an id)."""

    require = BooleanField("Require two-step sign-in for every member")
