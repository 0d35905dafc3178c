"""What an e-mail address must be to be kept: ``email_problem``, asked by the forms (every
address field), by account creation and by invitations, so a mangled address is refused with a
reason wherever it comes in and no mail is ever sent to it.

Why the field lets more through than is kept: a browser silently cuts a pasted value at the
input's ``maxlength``. With the field at 254 characters, an over-long paste lost its end and
arrived as another, wrong address ("...@x.o" from "...@x.org"), which then passed. So the
input takes up to ``EMAIL_INPUT_MAX`` (the longest the standards' parts allow, 64 + 1 + 255)
and the server says what is wrong with the whole text.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

#: Longest address that can be used (RFC 5321: a path is at most 256 octets, brackets included).
EMAIL_MAX = 254
#: What the form field accepts as typed or pasted (see the module docstring).
EMAIL_INPUT_MAX = 320

INVALID = "Enter a valid email address, like name@example.org."


def email_problem(email: str) -> str | None:
    """Say in plain words why ``email`` (trimmed) cannot be used, or None when it can.

    Too long; not an address at all; or a domain whose last part is a single character (no
    top-level domain is: "x.o" is what is left of a cut "x.org").
    """
    email = email.strip()
    if len(email) > EMAIL_MAX:
        return (
            f"An email address has at most {EMAIL_MAX} characters; this one has {len(email)}. "
            "Check that the whole address was pasted, and nothing else."
        )
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return INVALID
    ending = email.rsplit("@", 1)[1].rstrip(".").rsplit(".", 1)[-1]
    if len(ending) < 2:
        return (
            f"The address ends in “.{ending}”, and no domain ends in a single character "
            "(like .org or .us). Check the part after the @."
        )
    return None
