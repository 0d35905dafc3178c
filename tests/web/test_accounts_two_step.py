"""Two-step sign-in through HTTP: set-up with a real authenticator's codes (pyotp computes them
from the secret the page shows), sign-in with a code, replays, recovery codes, turning it off,
the owners' requirement, and the security notices mailed on every change."""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, make_org, make_user, signin
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts import two_step
from rubric_app.accounts.mail import outbox
from rubric_app.accounts.operations import end_sessions
from rubric_app.db import db
from rubric_app.models import AuditEvent, Organization, RecoveryCode, User

SECRET_ON_PAGE = re.compile(r'<code class="secret-key">([A-Z2-7 ]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>")


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now, or ``steps_ahead`` 30-second steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def post(client: FlaskClient, url: str, data: dict[str, str], page: str | None = None):
    """GET the page for a CSRF token, then POST ``data`` to ``url``."""
    token = csrf_from(client.get(page or url).data)
    return client.post(url, data={**data, "csrf_token": token})


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Set up two-step sign-in as the signed-in user; return the secret and recovery codes."""
    page = client.get("/account/two-step/setup").get_data(as_text=True)
    match = SECRET_ON_PAGE.search(page)
    assert match, page
    secret = match.group(1).replace(" ", "")
    response = post(client, "/account/two-step/setup", {"code": code_at(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    codes = RECOVERY_ON_PAGE.findall(response.get_data(as_text=True))
    return secret, codes


def password_step(client: FlaskClient, email: str, next_url: str = "") -> str:
    """Post the right password; return where the browser is sent."""
    url = "/signin" + (f"?next={next_url}" if next_url else "")
    token = csrf_from(client.get(url).data)
    response = client.post(url, data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


def signout(client: FlaskClient) -> None:
    token = csrf_from(client.get("/account").data)
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302


def enrolled_user(app: Flask, session: Session, email: str = "dana@example.org"):
    """A verified owner with two-step sign-in set up, signed out again; with secret and codes."""
    org = make_org(session)
    make_user(session, email, org)
    session.commit()
    client = app.test_client()
    signin(client, email)
    secret, codes = enrol(client)
    signout(client)
    return app.test_client(), secret, codes


def test_setup_turns_two_step_on_only_after_a_first_right_code(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session, "dana@example.org", make_org(session))
    session.commit()
    signin(client, "dana@example.org")
    page = client.get("/account/two-step/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    # Reloading shows the same secret: the user may already have scanned it.
    again = SECRET_ON_PAGE.search(client.get("/account/two-step/setup").get_data(as_text=True))
    assert again
    assert again.group(1).replace(" ", "") == secret

    wrong = str((int(code_at(secret)) + 1) % 1_000_000).zfill(6)
    refused = post(client, "/account/two-step/setup", {"code": wrong})
    assert refused.status_code == 400
    assert "That code does not match" in refused.get_data(as_text=True)
    session.refresh(user)
    assert not two_step.is_enabled(user)

    accepted = post(client, "/account/two-step/setup", {"code": code_at(secret)})
    assert accepted.status_code == 200
    assert accepted.headers["Cache-Control"] == "no-store"
    codes = RECOVERY_ON_PAGE.findall(accepted.get_data(as_text=True))
    assert len(codes) == 10 == len(set(codes))
    session.refresh(user)
    assert two_step.is_enabled(user)
    # The secret is stored encrypted, the recovery codes only as digests.
    assert user.totp_secret is not None
    assert secret not in user.totp_secret
    assert two_step.decrypt_secret(user.totp_secret) == secret
    stored = set(session.scalars(select(RecoveryCode.code_hash)))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert outbox()[-1].to == "dana@example.org"
    assert outbox()[-1].subject == "Two-step sign-in is now on for your rubric_app account"
    assert "If it was not you" in outbox()[-1].body
    # Once on, the set-up page leads to the settings instead of a new secret.
    assert client.get("/account/two-step/setup").headers["Location"] == "/account/two-step"


def test_the_qr_code_carries_the_secret_and_the_issuer(app: Flask, session: Session) -> None:
    user = make_user(session, "dana@example.org")
    with app.test_request_context():
        secret = two_step.begin_enrolment(session, user)
        uri = two_step.provisioning_uri(user, secret)
        image = two_step.qr_code_data_uri(uri)
    assert uri.startswith("otpauth://totp/rubric_app:dana%40example.org?")
    assert f"secret={secret}" in uri
    assert image.startswith("data:image/svg+xml")
    assert "%3Cpath" in image  # the modules are drawn as one path, no inline style


def test_signin_asks_for_a_code_and_signs_in_only_with_a_right_one(
    app: Flask, session: Session
) -> None:
    client, secret, _codes = enrolled_user(app, session)
    assert password_step(client, "dana@example.org", "/assessments") == "/two-step"
    # Password alone is not signed in.
    assert client.get("/account").status_code == 302

    page = client.get("/two-step").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page
    wrong = str((int(code_at(secret, 1)) + 1) % 1_000_000).zfill(6)
    refused = post(client, "/two-step", {"code": wrong})
    assert refused.status_code == 400
    assert "That code is not right" in html.unescape(refused.get_data(as_text=True))
    assert client.get("/account").status_code == 302

    # A code one step ahead: the set-up used up the current one.
    accepted = post(client, "/two-step", {"code": code_at(secret, 1)})
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/assessments"
    assert client.get("/account").status_code == 200
    actions = [event.action for event in session.scalars(select(AuditEvent))]
    assert "auth.two_step_failed" in actions
    assert actions.count("auth.signin") == 2  # the set-up sign-in, then this one
    # The code page again (the back button), signed in: home, not "not finished in time".
    again = client.get("/two-step")
    assert again.status_code == 302
    assert again.headers["Location"] == "/"
    assert "not finished in time" not in client.get("/").get_data(as_text=True)


def test_a_code_cannot_be_used_twice(app: Flask, session: Session) -> None:
    client, secret, _codes = enrolled_user(app, session)
    code = code_at(secret, 1)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": code}).status_code == 302
    signout(client)

    password_step(client, "dana@example.org")
    replay = post(client, "/two-step", {"code": code})
    assert replay.status_code == 400
    assert client.get("/account").status_code == 302
    # Codes of earlier steps are refused too, only a later one passes.
    assert post(client, "/two-step", {"code": code_at(secret, 0)}).status_code == 400
    assert post(client, "/two-step", {"code": code_at(secret, -1)}).status_code == 400


def test_a_code_outside_the_window_is_refused(app: Flask, session: Session) -> None:
    client, secret, _codes = enrolled_user(app, session)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": code_at(secret, 3)}).status_code == 400
    assert post(client, "/two-step", {"code": code_at(secret, 1)}).status_code == 302


def test_a_recovery_code_signs_in_once(app: Flask, session: Session) -> None:
    client, _secret, codes = enrolled_user(app, session)
    password_step(client, "dana@example.org")
    # Typed by hand: upper case, spaces instead of dashes.
    typed = codes[3].upper().replace("-", " ")
    response = post(client, "/two-step", {"code": typed})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "9 of them are left" in page
    signout(client)

    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": codes[3]}).status_code == 400
    assert post(client, "/two-step", {"code": codes[4]}).status_code == 302
    used = session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 2


def test_the_code_page_needs_a_fresh_password_step(app: Flask, session: Session) -> None:
    client, secret, _codes = enrolled_user(app, session)
    # Never typed the password: back to sign in.
    response = client.get("/two-step")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")

    password_step(client, "dana@example.org")
    user = session.scalar(select(User).where(User.email == "dana@example.org"))
    assert user is not None
    # "Sign out everywhere" (or a password change) elsewhere voids the waiting password step.
    end_sessions(session, user)
    session.commit()
    token = csrf_from(client.get("/signin").data)
    response = client.post("/two-step", data={"code": code_at(secret, 1), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert client.get("/account").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(app: Flask, session: Session) -> None:
    client, secret, old_codes = enrolled_user(app, session)
    password_step(client, "dana@example.org")
    post(client, "/two-step", {"code": code_at(secret, 1)})
    refused = post(
        client,
        "/account/two-step/recovery-codes",
        {"codes-proof": "not my password"},
        page="/account/two-step",
    )
    assert refused.status_code == 400
    made = post(
        client,
        "/account/two-step/recovery-codes",
        {"codes-proof": PASSWORD},
        page="/account/two-step",
    )
    assert made.status_code == 200
    new_codes = RECOVERY_ON_PAGE.findall(made.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    signout(client)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": old_codes[0]}).status_code == 400
    assert post(client, "/two-step", {"code": new_codes[0]}).status_code == 302


def test_turning_two_step_off_needs_the_password_or_a_code(app: Flask, session: Session) -> None:
    client, secret, codes = enrolled_user(app, session)
    # One code, read once: reading it again later could give the next step's code when a
    # 30-second step ends in between, which would be no replay.
    signin_code = code_at(secret, 1)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": signin_code}).status_code == 302
    mails = len(outbox())

    refused = post(
        client, "/account/two-step/disable", {"off-proof": "wrong guess"}, page="/account/two-step"
    )
    assert refused.status_code == 400
    assert "neither your password nor a fresh code" in refused.get_data(as_text=True)
    # The code just used at sign-in is a replay here too.
    replay = post(
        client,
        "/account/two-step/disable",
        {"off-proof": signin_code},
        page="/account/two-step",
    )
    assert replay.status_code == 400
    done = post(
        client, "/account/two-step/disable", {"off-proof": PASSWORD}, page="/account/two-step"
    )
    assert done.status_code == 302
    user = session.scalar(select(User).where(User.email == "dana@example.org"))
    assert user is not None
    session.refresh(user)
    assert not two_step.is_enabled(user)
    assert user.totp_secret is None
    assert session.scalars(select(RecoveryCode)).all() == []
    assert len(outbox()) == mails + 1
    assert outbox()[-1].subject == "Two-step sign-in is now off for your rubric_app account"
    # Password alone signs in again; the old recovery codes are gone with it.
    signout(client)
    assert password_step(client, "dana@example.org") == "/"
    assert codes


def test_owners_require_two_step_and_members_are_sent_to_set_it_up(
    app: Flask, session: Session
) -> None:
    org = make_org(session)
    make_user(session, "owner@example.org", org, "owner")
    make_user(session, "member@example.org", org, "editor")
    session.commit()
    owner = app.test_client()
    signin(owner, "owner@example.org")

    # The owner must use it first.
    early = post(owner, "/organization/two-step", {"two-step-require": "y"}, page="/organization")
    assert early.headers["Location"] == "/account/two-step"
    assert not session.get(Organization, org.id).require_two_step  # type: ignore[union-attr]
    enrol(owner)
    page = owner.get("/organization").get_data(as_text=True)
    assert "Require two-step sign-in for every member" in page
    saved = post(owner, "/organization/two-step", {"two-step-require": "y"}, page="/organization")
    assert saved.headers["Location"] == "/organization#two-step"
    session.expire_all()
    assert session.get(Organization, org.id).require_two_step  # type: ignore[union-attr]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "org.two_step_required"))

    member = app.test_client()
    # The member's password is enough to sign in, then every page leads to the set-up.
    assert password_step(member, "member@example.org", "/assessments") == "/assessments"
    for path in ("/assessments", "/account", "/organization"):
        response = member.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-step/setup"
    # Three redirects, one reminder.
    setup = member.get("/account/two-step/setup").get_data(as_text=True)
    assert setup.count("Set it up now to continue.") == 1
    assert (
        "Two-step sign-in is required for your account (by your organization, or because you"
        in setup
    )
    # A missing page is a plain 404, and the browser's favicon is the icon, not one more
    # redirect.
    assert member.get("/no-such-page").status_code == 404
    assert member.get("/favicon.ico").status_code == 200
    # Posting elsewhere does nothing either (the token comes from the set-up page).
    token = csrf_from(member.get("/account/two-step/setup").data)
    blocked = member.post("/organizations/new", data={"csrf_token": token, "name": "X"})
    assert blocked.headers["Location"] == "/account/two-step/setup"
    # The member cannot change the requirement.
    assert (
        member.post("/organization/two-step", data={"csrf_token": token}).headers["Location"]
        == "/account/two-step/setup"
    )
    secret, _codes = enrol(member)
    assert member.get("/assessments").status_code == 200

    # Required: the member cannot turn it off.
    refused = post(
        member,
        "/account/two-step/disable",
        {"off-proof": PASSWORD},
        page="/account/two-step",
    )
    assert refused.status_code == 400
    assert "is required for your account, so it cannot be turned off" in refused.get_data(
        as_text=True
    )

    # Next sign-in asks the member for a code.
    signout(member)
    assert password_step(member, "member@example.org") == "/two-step"
    assert post(member, "/two-step", {"code": code_at(secret, 1)}).status_code == 302


def test_only_owners_change_the_requirement(app: Flask, session: Session) -> None:
    org = make_org(session)
    make_user(session, "editor@example.org", org, "editor")
    session.commit()
    client = app.test_client()
    signin(client, "editor@example.org")
    enrol(client)
    page = client.get("/organization").get_data(as_text=True)
    assert "Require two-step sign-in for every member" not in page
    token = csrf_from(page)
    response = client.post(
        "/organization/two-step", data={"two-step-require": "y", "csrf_token": token}
    )
    assert response.status_code == 403
    session.expire_all()
    assert not session.get(Organization, org.id).require_two_step  # type: ignore[union-attr]


def test_password_change_and_reset_send_a_security_notice(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    signin(client, "dana@example.org")
    new = "a brand new passphrase 2026"
    changed = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": new, "confirm": new},
    )
    assert changed.status_code == 302
    notice = outbox()[-1]
    assert notice.to == "dana@example.org"
    assert notice.subject == "Your rubric_app password was changed"
    assert "127.0.0.1" in notice.body
    assert "/reset" in notice.body

    signout(client)
    post(client, "/reset", {"email": "dana@example.org"})
    link = re.search(r"https?://[^/\s]+(/reset/\S+)", outbox()[-1].body)
    assert link
    newer = "another new passphrase 2027"
    reset = post(client, link.group(1), {"password": newer, "confirm": newer})
    assert reset.status_code == 302
    assert outbox()[-1].subject == "Your rubric_app password was reset"
    assert outbox()[-1].to == "dana@example.org"


def test_a_failing_mail_server_does_not_undo_the_change(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    # An SMTP server nobody listens on: the notice fails, the password change stands.
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    make_user(session, "dana@example.org", make_org(session))
    session.commit()
    signin(client, "dana@example.org")
    new = "a brand new passphrase 2026"
    changed = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": new, "confirm": new},
    )
    assert changed.status_code == 302
    signout(client)
    signin(client, "dana@example.org", new)


def _claim_in_thread(app: Flask, other: Session, user: User, code: str, out: list[bool]) -> None:
    with app.app_context():
        out.append(two_step.verify_app_code(other, user, code))
        other.commit()


def test_two_connections_racing_with_one_code_let_only_one_in(app: Flask, session: Session) -> None:
    user = make_user(session, "dana@example.org")
    secret = two_step.begin_enrolment(session, user)
    two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.commit()
    code = code_at(secret, 1)
    with (
        Session(db.engine, expire_on_commit=False) as first,
        Session(db.engine, expire_on_commit=False) as second,
    ):
        # Both requests have loaded the user before either claims the code.
        theirs = second.get(User, user.id)
        second.commit()
        mine = first.get(User, user.id)
        assert mine is not None
        assert theirs is not None
        # The first connection claims the step and holds its write until it commits ...
        assert two_step.verify_app_code(first, mine, code)
        # ... while the second tries the same code: it waits for the row (PostgreSQL) or the
        # database lock (SQLite), then must find the step taken.
        results: list[bool] = []
        racer = threading.Thread(target=_claim_in_thread, args=(app, second, theirs, code, results))
        racer.start()
        first.commit()
        racer.join(timeout=60)
    assert not racer.is_alive()
    assert results == [False]


def test_after_a_secret_key_rotation_recovery_codes_still_work(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "dana@example.org")
    secret = two_step.begin_enrolment(session, user)
    codes = two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.commit()
    app.config["SECRET_KEY"] = "a-new-secret-key-after-rotation"
    # The stored secret was encrypted under the old key: app codes no longer pass ...
    assert two_step.decrypt_secret(user.totp_secret or "") is None
    assert two_step.check_second_step(session, user, code_at(secret, 1)) is None
    # ... but a recovery code (a plain digest, no key) still lets the user in to set up again.
    assert two_step.check_second_step(session, user, codes[0]) == "recovery"
    two_step.disable(session, user)
    assert two_step.begin_enrolment(session, user) != secret


def _signed_in_with_two_step(app: Flask, session: Session) -> tuple[FlaskClient, str, User]:
    """An enrolled user signed in with password and code: the client, the secret, the user."""
    client, secret, _codes = enrolled_user(app, session)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": code_at(secret, 1)}).status_code == 302
    user = session.scalar(select(User).where(User.email == "dana@example.org"))
    assert user is not None
    return client, secret, user


def _start_move(client: FlaskClient, proof: str):
    return post(
        client, "/account/two-step/move/start", {"move-proof": proof}, page="/account/two-step"
    )


def test_moving_to_a_new_phone_keeps_the_old_phone_until_the_new_one_confirms(
    app: Flask, session: Session
) -> None:
    client, old, user = _signed_in_with_two_step(app, session)
    # The move page needs the proof first.
    assert client.get("/account/two-step/move").headers["Location"] == "/account/two-step"
    refused = _start_move(client, "wrong guess")
    assert refused.status_code == 400
    assert "neither your password nor a fresh code" in refused.get_data(as_text=True)

    started = _start_move(client, PASSWORD)
    assert started.status_code == 302
    assert started.headers["Location"] == "/account/two-step/move"
    page = client.get("/account/two-step/move").get_data(as_text=True)
    match = SECRET_ON_PAGE.search(page)
    assert match, page
    new = match.group(1).replace(" ", "")
    assert new != old
    # Reloading shows the same new secret (the phone may have scanned it already) ...
    assert new in client.get("/account/two-step/move").get_data(as_text=True).replace(" ", "")
    # ... and until the new phone confirms, the old phone's secret is the one that works.
    session.refresh(user)
    assert two_step.decrypt_secret(user.totp_secret or "") == old

    mails = len(outbox())
    wrong = post(client, "/account/two-step/move", {"code": code_at(old, 0)})
    assert wrong.status_code == 400
    assert "That code does not match" in html.unescape(wrong.get_data(as_text=True))
    done = post(client, "/account/two-step/move", {"code": code_at(new, 0)})
    assert done.status_code == 302
    assert done.headers["Location"] == "/account/two-step"
    assert "Two-step sign-in now uses your new phone" in client.get("/account/two-step").get_data(
        as_text=True
    )
    session.refresh(user)
    assert two_step.decrypt_secret(user.totp_secret or "") == new
    assert user.totp_new_secret is None
    assert two_step.remaining_recovery_codes(session, user) == two_step.RECOVERY_CODE_COUNT
    assert outbox()[-1].subject == (
        "Two-step sign-in moved to a new phone for your rubric_app account"
    )
    assert len(outbox()) == mails + 1
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.two_step_moved"))

    # Signing in again: the old phone's codes are refused (the step is later than the last one
    # used, so not as a replay), the new phone's pass.
    signout(client)
    password_step(client, "dana@example.org")
    assert post(client, "/two-step", {"code": code_at(old, 1)}).status_code == 400
    assert post(client, "/two-step", {"code": code_at(new, 1)}).status_code == 302


def test_a_move_not_finished_in_time_is_started_again_and_the_old_phone_stays(
    app: Flask, session: Session
) -> None:
    client, old, user = _signed_in_with_two_step(app, session)
    assert _start_move(client, PASSWORD).status_code == 302
    session.refresh(user)
    pending = two_step.pending_move(user)
    assert pending is not None
    # The same secret, as if the move had begun a minute longer ago than a move may wait.
    waited = 60 * (two_step.MOVE_MINUTES + 1)
    user.totp_new_secret = (
        two_step._fernet().encrypt_at_time(pending.encode(), int(time.time()) - waited).decode()
    )
    session.commit()

    response = client.get("/account/two-step/move")
    assert response.headers["Location"] == "/account/two-step"
    assert "confirm it is you first" in client.get("/account/two-step").get_data(as_text=True)
    token = csrf_from(client.get("/account/two-step").data)
    late = client.post(
        "/account/two-step/move", data={"code": code_at(pending, 0), "csrf_token": token}
    )
    assert late.headers["Location"] == "/account/two-step"
    session.refresh(user)
    assert two_step.decrypt_secret(user.totp_secret or "") == old


def test_a_move_started_again_meanwhile_is_not_finished_by_the_older_qr_code(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "dana@example.org")
    secret = two_step.begin_enrolment(session, user)
    two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    first_move = two_step.begin_move(session, user)
    session.commit()
    with (
        Session(db.engine, expire_on_commit=False) as first,
        Session(db.engine, expire_on_commit=False) as second,
    ):
        # One tab has loaded the user with the first move's secret ...
        mine = first.get(User, user.id)
        first.commit()
        assert mine is not None
        # ... when another starts the move again (a new QR code) and commits.
        theirs = second.get(User, user.id)
        assert theirs is not None
        second_move = two_step.begin_move(second, theirs)
        second.commit()
        # The first tab's code matches the secret it read, but that move is no longer the one
        # waiting: the conditional swap finds it gone.
        with pytest.raises(two_step.TwoStepError, match="started again"):
            two_step.confirm_move(first, mine, pyotp.TOTP(first_move).now())
        first.rollback()
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored is not None
    assert two_step.decrypt_secret(stored.totp_secret or "") == secret
    assert two_step.pending_move(stored) == second_move
