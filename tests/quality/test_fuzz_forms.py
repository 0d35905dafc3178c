"""Property-based fuzz of every POST endpoint (forms and JSON): random and malformed values never
give a server error and never change another organization's data.

Signed in as Riverton's owner, hypothesis posts to each endpoint in the app's URL map, with
URL variables pointing at Riverton's objects, at Cedar Hollow's (which Riverton may not touch)
and at ids that do not exist. Bodies are forms (known field names and random ones, duplicated,
missing, huge, unicode, control characters, NUL) or JSON (random structures, wrong types,
garbage bytes), mostly with a valid CSRF token and sometimes with none or a forged one. After
every post, Cedar Hollow's rows must be exactly what they were.

Runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL (which refuses NUL in text, a
classic source of 500s). The examples per endpoint are bounded so CI stays fast.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from fuzz_support import ORG_B, USER_A, USER_B, field_names, fingerprint, post_rules, url_values
from helpers import PASSWORD, csrf_from, signin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages import PAGE_TYPES
from quality_site import make_quality_app
from sqlalchemy.schema import CreateSchema, DropSchema
from werkzeug.datastructures import MultiDict

from rubric_app import create_app
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db, make_engine
from rubric_app.demo import seed_demo
from rubric_app.migrate import upgrade
from rubric_app.rubric_versions import record_catalog

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if TEST_DATABASE_URL else [])
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# CI draws the same examples on every run, so a red build always points at a change; local
# runs draw new ones each time and so keep exploring. FUZZ_RANDOM=1 forces new draws in CI.
DERANDOMIZE = bool(os.environ.get("CI")) and not os.environ.get("FUZZ_RANDOM")

# The URL map is read at collection time, from an app that never touches its database.
_MAP_APP = create_app({"TESTING": True, "SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
RULES = [(rule.endpoint, rule.rule) for rule in post_rules(_MAP_APP)]
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class FuzzSite:
    """A seeded app, org A's signed-in session cookie and CSRF token, and what its pages ask."""

    app: Flask
    names: list[str]
    values: list[str]
    url_values: dict[str, list[Any]]
    cookie: str = ""
    token: str = ""

    def client(self) -> FlaskClient:
        """A client carrying org A's signed-in session."""
        client = self.app.test_client()
        client.set_cookie("session", self.cookie)
        return client

    def ensure_signed_in(self) -> None:
        """Sign org A's user in again if a fuzzed post ended the session (sign out everywhere)."""
        if self.cookie and self.client().get("/account").status_code == 200:
            return
        client = self.app.test_client()
        signin(client, USER_A, PASSWORD)
        cookie = client.get_cookie("session")
        assert cookie is not None
        self.cookie = cookie.value
        self.token = csrf_from(client.get("/account").data)


def _postgres_url(base: str) -> str:
    # A schema of our own: the shared fixtures empty the worker's schema before each test.
    schema = f"fuzz_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    engine = make_engine(base)
    with engine.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True, if_exists=True))
        connection.execute(CreateSchema(schema))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


_OPTION_VALUE = re.compile(r'<(?:input|option)[^>]*\svalue="([^"]*)"')


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzSite]:
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = folder / "fuzz.sqlite3"
        shutil.copyfile(template, path)
        app = make_quality_app(f"sqlite:///{path}", folder)
    else:
        app = make_quality_app(_postgres_url(TEST_DATABASE_URL), folder)
        upgrade(app)
        with app.app_context():
            record_catalog(db.session, current_catalog())
            db.session.commit()
    with app.app_context():
        seed_demo(db.session, PASSWORD)
        db.session.commit()
    # Org B's owner is signed in somewhere: the fuzz must not be able to end that session.
    signin(app.test_client(), USER_B, PASSWORD)
    with app.app_context():
        candidates = url_values(db.session)
    site = FuzzSite(app=app, names=[], values=[], url_values=candidates)
    site.ensure_signed_in()
    client = site.client()
    names: set[str] = set()
    values: set[str] = set()
    for page in PAGE_TYPES:
        if page.user != USER_A:
            continue
        with app.app_context():
            url = page.url(db.session)
        html = client.get(url).get_data(as_text=True)
        names.update(field_names(html))
        values.update(_OPTION_VALUE.findall(html))
    site.names = sorted(names) or ["value"]
    site.values = sorted(values) or ["yes"]
    yield site
    with app.app_context():
        db.session.close()
        db.engine.dispose()


@st.composite
def scalar_text(draw: st.DrawFn, known: list[str]) -> str:
    """A form value: plausible, empty, numeric, date-like, huge, unicode or control characters."""
    return draw(
        st.one_of(
            st.sampled_from(known),
            st.just(""),
            st.text(max_size=40),
            st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
            st.integers(-(2**70), 2**70).map(str),
            st.sampled_from(["nan", "inf", "-1", "0", "1e309", "2026-02-30", "0000-00-00"]),
            st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd"]),
            st.sampled_from(["\x00", "a\x00b", "\u202e\u200b", "\U0001f600" * 3]),
            st.builds(lambda c, n: c * n, st.characters(), st.integers(1_000, 100_000)),
        )
    )


def json_values(known_names: list[str], known_values: list[str]) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        scalar_text(known_values),
    )
    keys = st.one_of(st.sampled_from(known_names), st.text(max_size=20))
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)
        ),
        max_leaves=20,
    )


@st.composite
def fuzz_request(draw: st.DrawFn, site: FuzzSite, rule: str) -> dict[str, Any]:
    """The URL, body and CSRF header of one fuzzed POST."""
    url = rule
    for name in _VARIABLE.findall(rule):
        candidates = site.url_values.get(name)
        assert candidates, f"no fuzz values for URL variable {name!r}: add them to url_values()"
        value = draw(st.sampled_from(candidates))
        url = _VARIABLE.sub(lambda _m, v=value: str(v), url, count=1)
    csrf = draw(st.sampled_from(["valid"] * 6 + ["missing", "forged"]))
    token = {"valid": site.token, "missing": None, "forged": "forged-token"}[csrf]
    kind = draw(st.sampled_from(["form", "form", "json", "garbage"]))
    request: dict[str, Any] = {"url": url, "headers": {}}
    if token is not None:
        request["headers"]["X-CSRFToken"] = token
    if kind == "form":
        pairs = draw(
            st.lists(
                st.tuples(
                    st.one_of(st.sampled_from(site.names), st.text(max_size=20)),
                    scalar_text(site.values),
                ),
                max_size=12,
            )
        )
        if token is not None:
            pairs.append(("csrf_token", token))
        request["data"] = MultiDict(pairs)
    elif kind == "json":
        request["json"] = draw(json_values(site.names, site.values))
    else:
        request["data"] = draw(st.binary(max_size=200))
        request["content_type"] = draw(st.sampled_from(["application/json", "text/plain"]))
    return request


def test_every_post_endpoint_is_fuzzed() -> None:
    assert RULES, "no POST endpoints found"
    assert ("accounts.signin", "/signin") in RULES


@pytest.mark.parametrize("body", [b"false", b"[[]]", b"{", b'{"email": 1}', b'{"a": {"b": "c"}}'])
def test_json_a_form_cannot_read_is_refused_with_a_message(
    fuzz_site: FuzzSite, body: bytes
) -> None:
    response = fuzz_site.app.test_client().post(
        "/signin", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["reason"] == "body"
    assert "could not be read" in response.json["message"]


def test_json_shaped_like_a_form_is_read_as_the_form(fuzz_site: FuzzSite) -> None:
    client = fuzz_site.app.test_client()
    token = csrf_from(client.get("/signin").data)
    response = client.post(
        "/signin",
        json={"email": USER_A, "password": "not the password"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert "email address or password is not right" in response.get_data(as_text=True)


@pytest.mark.parametrize(("endpoint", "rule"), RULES, ids=[f"{e} {r}" for e, r in RULES])
def test_random_posts_never_fail_or_touch_another_org(
    endpoint: str, rule: str, fuzz_site: FuzzSite
) -> None:
    fuzz_site.ensure_signed_in()
    with fuzz_site.app.app_context():
        before = fingerprint(db.session, ORG_B)
        db.session.close()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def post_anything(data: st.DataObject) -> None:
        request = data.draw(fuzz_request(fuzz_site, rule))
        # Every example starts from org A's signed-in session, whatever the last one did.
        client = fuzz_site.client()
        url = request.pop("url")
        response = client.post(url, **request)
        assert response.status_code < 500, f"{endpoint}: POST {url} answered {response.status_code}"
        with fuzz_site.app.app_context():
            after = fingerprint(db.session, ORG_B)
            db.session.close()
        changed = {key: after[key] for key in before if after[key] != before[key]}
        assert not changed, (
            f"{endpoint}: POST {url} changed {ORG_B}'s data: "
            + json.dumps({k: [list(map(str, row)) for row in v] for k, v in changed.items()})[:2000]
        )

    post_anything()
