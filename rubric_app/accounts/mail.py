"""Sending e-mail through one small interface: ``send_mail(to, subject, body)``.

MAIL_BACKEND "log" (development) writes each message to the application log, and also appends
it to the list ``app.extensions["rubric_app.outbox"]`` when that key exists or the app is
TESTING, so tests (and the browser tests' ``outbox`` fixture) can follow the links.
MAIL_BACKEND "smtp" sends through MAIL_SERVER with STARTTLS and optional login.

Subjects and bodies quote what users typed (names of people and organizations). The forms
refuse control characters (``rubric_app.form_base``); as a second line, for text stored before
that rule, ``send_mail`` strips them here: a line break in a header is header injection (and
makes ``EmailMessage`` raise), and other control characters make servers refuse the message.
The address is never rewritten: one with a control character is refused with ValueError.

``send_security_notice`` tells a user that their password or two-step sign-in changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_request_context, request, url_for

from rubric_app.hostile_input import (
    first_control_character,
    has_lone_surrogate,
    strip_control_characters,
)

logger = logging.getLogger("rubric_app.mail")
OUTBOX_KEY = "rubric_app.outbox"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox() -> list[Mail]:
    """Messages recorded by the log backend (oldest first)."""
    box: list[Mail] = current_app.extensions.setdefault(OUTBOX_KEY, [])
    return box


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message with the configured backend."""
    if first_control_character(to) is not None or has_lone_surrogate(to):
        raise ValueError(f"Not a mail address: {to!r}")
    mail = Mail(
        to=to,
        subject=strip_control_characters(subject),
        body=strip_control_characters(body, multiline=True),
    )
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(mail)
        return
    if backend != "log":
        raise ValueError(f"Unknown MAIL_BACKEND {backend!r}; use 'log' or 'smtp'.")
    # WARNING so that the message shows with the default logging setup of `flask run`.
    logger.warning("Mail (log backend) to %s: %s\n%s", mail.to, mail.subject, mail.body)
    if OUTBOX_KEY in current_app.extensions or current_app.config.get("TESTING"):
        outbox().append(mail)


def _send_smtp(mail: Mail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


#: Security notices: what happened, in the words of the message (subject, sentence).
SECURITY_NOTICES: dict[str, tuple[str, str]] = {
    "password_changed": (
        "Your rubric_app password was changed",
        "The password of your rubric_app account was changed",
    ),
    "password_reset": (
        "Your rubric_app password was reset",
        "The password of your rubric_app account was reset through an e-mailed link",
    ),
    "two_step_on": (
        "Two-step sign-in is now on for your rubric_app account",
        "Two-step sign-in was turned on for your rubric_app account",
    ),
    "two_step_moved": (
        "Two-step sign-in moved to a new phone for your rubric_app account",
        "Two-step sign-in of your rubric_app account was moved to a new phone (codes from the "
        "old one no longer work)",
    ),
    "two_step_off": (
        "Two-step sign-in is now off for your rubric_app account",
        "Two-step sign-in was turned off for your rubric_app account",
    ),
}


def send_security_notice(to: str, name: str, event: str) -> None:
    """Tell the account's owner that its password or two-step sign-in changed.

    Best effort: the change is already made, and a mail server that is down must not turn the
    page that made it into an error, so a failure to send is logged, not raised.
    """
    subject, sentence = SECURITY_NOTICES[event]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    address = (request.remote_addr or "an unknown address") if has_request_context() else "-"
    reset = url_for("accounts.reset_request", _external=True) if has_request_context() else ""
    body = (
        f"Hello {name},\n\n{sentence} on {when}, from the address {address}.\n\n"
        "If this was you, there is nothing more to do.\n\n"
        "If it was not you, someone else may know your password. Reset it now"
        + (f" at {reset}" if reset else "")
        + " and tell an owner of your organization.\n"
    )
    try:
        send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the security notice %r to %s", event, to)
