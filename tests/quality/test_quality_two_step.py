"""The two-step pages that no plain GET reaches: the settings with two-step sign-in on (the
user has to pass the code page first), the recovery codes, shown only in the answer to a
POST, and the new phone's page of a move (after the password is posted). All go through the Nu
Html Checker and, in Chromium, through axe-core.

The demo's TWO_STEP_USER signs in with a recovery code made for each check, so the checks
never depend on the clock or on which 30-second code another check has used up.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from
from pages import TWO_STEP_USER
from quality_site import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VNU_JAR,
    DemoSite,
    LiveServer,
    on_own_thread,
)
from test_quality_axe import AXE_OPTIONS, BLOCKING, describe

from rubric_app.accounts import two_step
from rubric_app.accounts.operations import find_user
from rubric_app.db import db


def fresh_recovery_code(site: DemoSite) -> str:
    """Replace TWO_STEP_USER's recovery codes and return one of the new ones."""
    with site.app.app_context():
        user = find_user(db.session, TWO_STEP_USER)
        assert user is not None
        codes = two_step.regenerate_recovery_codes(db.session, user)
        db.session.commit()
    return codes[0]


def signed_in_client(site: DemoSite) -> FlaskClient:
    client = site.app.test_client()
    token = csrf_from(client.get("/signin").data)
    step = client.post(
        "/signin", data={"email": TWO_STEP_USER, "password": PASSWORD, "csrf_token": token}
    )
    assert step.headers["Location"] == "/two-step"
    token = csrf_from(client.get("/two-step").data)
    done = client.post("/two-step", data={"code": fresh_recovery_code(site), "csrf_token": token})
    assert done.status_code == 302
    return client


def test_two_step_on_and_recovery_codes_are_valid_html(demo_site: DemoSite, tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci` (make test does)"
    client = signed_in_client(demo_site)
    settings = client.get("/account/two-step")
    assert settings.status_code == 200
    assert "Two-step sign-in is <strong>on</strong>" in settings.get_data(as_text=True)
    (tmp_path / "settings-on.html").write_text(settings.get_data(as_text=True))
    codes = client.post(
        "/account/two-step/recovery-codes",
        data={"codes-proof": PASSWORD, "csrf_token": csrf_from(settings.data)},
    )
    assert codes.status_code == 200
    (tmp_path / "recovery-codes.html").write_text(codes.get_data(as_text=True))
    refused = client.post(
        "/account/two-step/disable",
        data={"off-proof": "a wrong guess", "csrf_token": csrf_from(settings.data)},
    )
    assert refused.status_code == 400
    (tmp_path / "settings-error.html").write_text(refused.get_data(as_text=True))
    started = client.post(
        "/account/two-step/move/start",
        data={"move-proof": PASSWORD, "csrf_token": csrf_from(settings.data)},
    )
    assert started.headers["Location"] == "/account/two-step/move"
    move = client.get("/account/two-step/move")
    assert move.status_code == 200
    (tmp_path / "move.html").write_text(move.get_data(as_text=True))
    wrong = client.post(
        "/account/two-step/move", data={"code": "000000", "csrf_token": csrf_from(move.data)}
    )
    assert wrong.status_code == 400
    (tmp_path / "move-error.html").write_text(wrong.get_data(as_text=True))
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    errors = [
        f"{Path(message.get('url', '')).name} line {message.get('lastLine')}: {message['message']}"
        for message in report["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(errors)


def _axe_pass(site: DemoSite, server: LiveServer, found: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    recovery = fresh_recovery_code(site)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server.url, bypass_csp=True)
            context.set_default_timeout(30_000)
            tab = context.new_page()
            tab.goto("/signin")
            tab.get_by_label("Email").fill(TWO_STEP_USER)
            tab.get_by_label("Password").fill(PASSWORD)
            with tab.expect_navigation():
                tab.get_by_role("button", name="Sign in").click()
            tab.get_by_label("Code").fill(recovery)
            # Waited for: going on at once could cut the sign-in short.
            with tab.expect_navigation():
                tab.get_by_role("button", name="Sign in").click()
            tab.goto("/account/two-step")
            tab.add_script_tag(path=str(AXE_JS))
            found["settings, on"] = tab.evaluate("o => axe.run(document, o)", AXE_OPTIONS)
            # Three forms ask for the password here: fill the one of the button pressed.
            tab.locator("#codes-proof").fill(PASSWORD)
            with tab.expect_navigation():
                tab.get_by_role("button", name="Make new recovery codes").click()
            assert "/account/two-step/recovery-codes" in tab.url
            assert tab.get_by_role("heading", name=re.compile("recovery codes", re.I)).count()
            tab.add_script_tag(path=str(AXE_JS))
            found["recovery codes"] = tab.evaluate("o => axe.run(document, o)", AXE_OPTIONS)
            tab.goto("/account/two-step")
            tab.locator("#move-proof").fill(PASSWORD)
            with tab.expect_navigation():
                tab.get_by_role("button", name="Move to a new phone").click()
            assert tab.url.endswith("/account/two-step/move")
            tab.add_script_tag(path=str(AXE_JS))
            found["move to a new phone"] = tab.evaluate("o => axe.run(document, o)", AXE_OPTIONS)
        finally:
            browser.close()


@pytest.mark.browser
def test_two_step_on_and_recovery_codes_pass_axe(
    demo_site: DemoSite, demo_server: LiveServer
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    found: dict[str, Any] = {}
    on_own_thread(
        lambda: _axe_pass(demo_site, demo_server, found),
        name="axe-two-step",
        minutes=5,
        what="the two-step axe pass",
    )
    for name, result in found.items():
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
        assert not blocking, f"{name}:\n{describe(blocking)}"
    assert set(found) == {"settings, on", "recovery codes", "move to a new phone"}
