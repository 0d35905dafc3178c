"""Forms of the accounts pages: sign-in, sign-up, passwords, organizations, members, sharing.

Forms check the shape of what was typed; the rules that hold everywhere (taken e-mail, last
owner, state advocates only from their own state) live in the operations, whose messages the
routes attach to the right field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, StopValidation

from rubric_app.accounts.email_addresses import EMAIL_INPUT_MAX, email_problem
from rubric_app.accounts.passwords import MIN_PASSWORD_LENGTH, STRENGTH_HINT
from rubric_app.form_base import Form, NameAllowed
from rubric_app.us_states import state_choices
from rubric_app.vocabulary import (
    ENROLLMENT_BAND_LABELS,
    LOCALE_LABELS,
    ORG_KIND_LABELS,
    ROLE_DESCRIPTIONS,
    ROLE_LABELS,
    ROLES,
    SRO_MODEL_LABELS,
    choices,
)

ORG_KIND_CHOICES = choices(ORG_KIND_LABELS)
ENROLLMENT_CHOICES = choices(ENROLLMENT_BAND_LABELS)
LOCALE_CHOICES = choices(LOCALE_LABELS)
SRO_MODEL_CHOICES = choices(SRO_MODEL_LABELS)
ROLE_CHOICES = [(role, f"{ROLE_LABELS[role]}: {text}") for role, text in ROLE_DESCRIPTIONS.items()]
NOT_GIVEN = [("", "Not given")]


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs; WTForms 3.4 no longer takes the pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip_whitespace(value: str | None) -> str | None:
    """Drop spaces pasted around a value; they are never part of it."""
    return value.strip() if isinstance(value, str) else value


class EmailAllowed:
    """Refuse an address ``email_problem`` finds unusable (too long, not an address, a
    one-character domain ending), with its message."""

    field_flags: dict[str, Any] = {}

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str):
            problem = email_problem(field.data)
            if problem is not None:
                raise StopValidation(problem)


def email_field(
    label: str = "Email address", missing: str = "Enter your email address."
) -> EmailField:
    return EmailField(
        label,
        validators=[DataRequired(missing), EmailAllowed()],
        filters=[strip_whitespace],
        # Not the 254 kept: a browser cuts a longer paste at maxlength into another address
        # (see ``email_addresses``), so the whole of it must reach the check above.
        render_kw={"autocomplete": "email", "spellcheck": "false", "maxlength": EMAIL_INPUT_MAX},
    )


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Enter a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=STRENGTH_HINT,
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field(label: str = "Type the password again") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SignInForm(Form):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(
        "Keep me signed in on this device",
        description=(
            "Stay signed in after closing the browser, until you sign out. Leave this off on a "
            "shared computer."
        ),
    )


class SigninLinkForm(Form):
    email = email_field()


class SignUpForm(Form):
    name = StringField(
        "Your name",
        validators=[DataRequired("Enter your name."), Length(max=200), NameAllowed()],
        filters=[strip_whitespace],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = new_password_field()
    confirm = confirm_field()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field("New password")
    confirm = confirm_field("Type the new password again")


class ResetRequestForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = new_password_field("New password")
    confirm = confirm_field("Type the new password again")


class OrganizationForm(Form):
    name = StringField(
        "Name of the organization",
        validators=[
            DataRequired("Enter the organization's name."),
            Length(max=200),
            NameAllowed(),
        ],
        filters=[strip_whitespace],
        render_kw={"autocomplete": "organization"},
    )
    kind = SelectField(
        "Kind of organization",
        choices=options([("", "Choose one"), *ORG_KIND_CHOICES]),
        validators=[DataRequired("Choose the kind of organization.")],
    )
    state = SelectField(
        "State",
        choices=options([("", "Choose a state"), *state_choices()]),
        validators=[DataRequired("Choose the state the organization works in.")],
    )
    nces_id = StringField(
        "NCES or IPEDS id (optional)",
        validators=[
            Optional(),
            Regexp(
                r"^[0-9]{6,7}$",
                message=(
                    "An NCES district id has 7 digits and an IPEDS unit id has 6 digits; "
                    "leave it empty if you have none."
                ),
            ),
        ],
        filters=[strip_whitespace],
        description="Districts: the 7-digit NCES district id. Colleges: the 6-digit IPEDS unit id.",
        render_kw={"inputmode": "numeric"},
    )
    enrollment_band = SelectField(
        "Enrollment (optional)",
        choices=options(NOT_GIVEN + ENROLLMENT_CHOICES),
        description="Used to compare you with organizations of a similar size.",
    )
    locale = SelectField(
        "Locale (optional)",
        choices=options(NOT_GIVEN + LOCALE_CHOICES),
        description="As in the NCES locale codes.",
    )
    sro_model = SelectField(
        "How school resource officers are staffed (optional)",
        choices=options(NOT_GIVEN + SRO_MODEL_CHOICES),
    )


class InviteForm(Form):
    email = email_field("Colleague's email address", "Enter your colleague's email address.")
    role = SelectField("Role", choices=options(ROLE_CHOICES), default="editor")


class RoleForm(Form):
    role = SelectField("Role", choices=options((key, ROLE_LABELS[key]) for key in ROLES))


class ShareForm(Form):
    #: Choices (organization ids as text) are set by the route from ``share_targets``.
    to_org = SelectField(
        "Organization to share with", validators=[DataRequired("Choose an organization.")]
    )
    named = BooleanField(
        "Name our organization in the receiver's lists of participants",
        description=(
            "A state advocate counts every shared assessment in its state figures either way, "
            "and can always open what you share with it. Leave this unticked and your "
            "organization is not named in its dashboard's participant list, its exports or its "
            "ZIP of reports: there it appears only as an unnamed organization."
        ),
    )


class PartnerLookupForm(Form):
    """Find a partner organization by the partner code or owner's e-mail address it gave out."""

    partner = StringField(
        "Partner code or the partner owner's email address",
        validators=[
            DataRequired("Enter the partner code, or the email address of the partner's owner."),
            Length(max=254),
        ],
        filters=[strip_whitespace],
        description=(
            "Ask the partner organization's owner: its code is on their organization page "
            "(like ABCD-EFGH-JKMN)."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class EmptyForm(Form):
    """A form with nothing but the CSRF token, for buttons that post (remove, revoke, switch)."""
