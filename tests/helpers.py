"""Helpers for web tests: CSRF tokens, signing in, making users and organizations, watching
the statements a request runs, comparing pages."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from rubric_app.accounts import two_step
from rubric_app.accounts.operations import add_member, create_organization, create_user
from rubric_app.accounts.vetting import VETTED_KINDS, verify_organization
from rubric_app.assessments import ItemChange, save_items, start_assessment, submit
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, Organization, User, utcnow
from rubric_app.rubric_versions import latest_version, rubric_of

PASSWORD = "correct horse battery staple"

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_CSRF_ALT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str | bytes) -> str:
    """The CSRF token in a rendered page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = _CSRF.search(text) or _CSRF_ALT.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1)


_UNANSWERED_SEEN = re.compile(r'name="unanswered_seen" type="hidden" value="([^"]*)"')


def confirmed_submit_data(review_html: str | bytes) -> dict[str, str]:
    """The submit form of a review page with its unanswered items confirmed (box ticked)."""
    text = review_html.decode() if isinstance(review_html, bytes) else review_html
    match = _UNANSWERED_SEEN.search(text)
    return {
        "csrf_token": csrf_from(text),
        "unanswered_seen": match.group(1) if match else "",
        "confirm_unanswered": "y",
    }


def signin(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in form and check it worked."""
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.data[:500]


def make_org(
    session: Session,
    name: str = "Test District",
    kind: str = "district",
    state: str = "OH",
    *,
    verified: bool | None = None,
    **attrs: str,
) -> Organization:
    """An organization; state advocates come out verified (as the demo's do) unless told not
    to, so tests about dashboards and shares need not play the site administrator."""
    org = create_organization(session, name=name, kind=kind, state=state, **attrs)
    if verified if verified is not None else kind in VETTED_KINDS:
        verify_organization(session, org, by=None, via="cli")
    return org


def start_draft(
    session: Session, org: Organization, user: User, rubric_id: str = "secure-local-implementation"
) -> Assessment:
    """A new draft of the rubric's latest version ("MOU review", 2026-27), committed."""
    created = start_assessment(
        session,
        org=org,
        version=latest_version(session, rubric_id),
        title="MOU review",
        period="2026-27",
        user=user,
    )
    session.commit()
    return created


def submitted_generated(
    session: Session, org: Organization, period: str, maturity: float, *, seed: str = ""
) -> Assessment:
    """A submitted assessment of the local rubric, answered as ``demo.generate_states`` does at
    ``maturity`` (random from ``seed``, else the organization's name), by the organization's
    owner (made on first use). One organization may have several in one period."""
    email = f"owner{org.id}@example.org"
    user = session.scalar(select(User).where(User.email == email)) or make_user(session, email, org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session,
        org=org,
        version=version,
        title=f"Review {maturity}",
        period=period,
        user=user,
        allow_second=True,
    )
    states = generate_states(rubric_of(version), random.Random(seed or org.name), maturity)
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    submit(session, assessment, user=user)
    return assessment


def make_user(
    session: Session,
    email: str,
    org: Organization | None = None,
    role: str = "owner",
    name: str = "Test User",
    *,
    verified: bool = True,
) -> User:
    """A user with PASSWORD; verified (as users made by the CLI are) unless told otherwise."""
    user = create_user(session, email=email, name=name, password=PASSWORD)
    if verified:
        user.email_verified_at = utcnow()
    if org is not None:
        add_member(session, user=user, org=org, role=role)
    return user


def make_site_admin(session: Session, email: str, org: Organization | None = None) -> str:
    """A site administrator with two-step sign-in set up (as the role requires); its secret."""
    user = make_user(session, email, org)
    user.is_site_admin = True
    secret = two_step.begin_enrolment(session, user)
    two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.commit()
    return secret


def signin_two_step(client: FlaskClient, email: str, secret: str, password: str = PASSWORD) -> None:
    """Sign in with the password, then a code from the app whose secret is ``secret``."""
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.data[:500]
    assert response.headers["Location"].startswith("/two-step"), response.headers["Location"]
    token = csrf_from(client.get("/two-step").data)
    # The next time step's code: the one enrolment used (this one) cannot be used again.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = client.post("/two-step", data={"code": code, "csrf_token": token})
    assert response.status_code == 302, response.data[:500]


@contextmanager
def statements_run(engine: Engine, containing: str = "") -> Iterator[list[str]]:
    """Every SQL statement ``engine`` runs inside the block (those that mention ``containing``,
    when given), in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if containing in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def main_of(page: str) -> str:
    """A page's main part, without its forms' CSRF tokens (signed with the time), so two
    renderings of the same content compare equal."""
    found = re.search(r"<main.*?</main>", page, flags=re.S)
    assert found is not None
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', found.group(0))
