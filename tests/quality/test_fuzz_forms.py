"""Property-based fuzz of every POST endpoint (forms and JSON): random and malformed values never
give a server error and never change another organization's data.

Signed in as Riverton's owner, hypothesis posts to each endpoint in the app's URL map, with
URL variables pointing at Riverton's objects, at Cedar Hollow's (which Riverton may not touch)
and at ids that do not exist. Bodies are forms (known field names and random ones, duplicated,
missing, huge, unicode, control characters, NUL, lone surrogates as raw bytes, non-ASCII digits,
huge numbers) or JSON (random structures, wrong types, lone surrogates, nesting tens of thousands
deep, garbage bytes), mostly with a valid CSRF token and sometimes with none or a forged one. After
every post, Cedar Hollow's rows must be exactly what they were.

Runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL (which refuses NUL in text, a
classic source of 500s). The examples per endpoint are bounded so CI stays fast.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_support import (
    BACKENDS,
    ORG_B,
    USER_A,
    FuzzSite,
    build_fuzz_site,
    deep_json,
    encode_pairs,
    fill_url,
    fingerprint,
    post_rules,
    scalar_text,
)
from helpers import csrf_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubric_app import create_app
from rubric_app.db import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# CI draws the same examples on every run, so a red build always points at a change; local
# runs draw new ones each time and so keep exploring. FUZZ_RANDOM=1 forces new draws in CI.
DERANDOMIZE = bool(os.environ.get("CI")) and not os.environ.get("FUZZ_RANDOM")

# The URL map is read at collection time, from an app that never touches its database.
_MAP_APP = create_app({"TESTING": True, "SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
RULES = [(rule.endpoint, rule.rule) for rule in post_rules(_MAP_APP)]


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzSite]:
    yield from build_fuzz_site(request, tmp_path_factory)


def json_values(known_names: list[str], known_values: list[str]) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        scalar_text(known_values),
    )
    keys = st.one_of(st.sampled_from(known_names), st.text(max_size=20), scalar_text([]))
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
    url = fill_url(rule, site.url_values, draw)
    csrf = draw(st.sampled_from(["valid"] * 6 + ["missing", "forged"]))
    token = {"valid": site.token, "missing": None, "forged": "forged-token"}[csrf]
    kind = draw(st.sampled_from(["form", "form", "json", "json-object", "deep", "garbage"]))
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
        # Encoded by hand, so lone surrogates go out as the invalid bytes a client could send.
        request["data"] = encode_pairs(pairs)
        request["content_type"] = "application/x-www-form-urlencoded"
    elif kind == "json":
        request["json"] = draw(json_values(site.names, site.values))
    elif kind == "json-object":
        # Shaped like a form, so it passes the body guard and reaches the form layer.
        request["json"] = draw(
            st.dictionaries(
                st.one_of(st.sampled_from(site.names), scalar_text([])),
                st.one_of(scalar_text(site.values), st.lists(scalar_text(site.values), max_size=3)),
                max_size=8,
            )
        )
    elif kind == "deep":
        request["data"] = draw(deep_json())
        request["content_type"] = "application/json"
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


def test_thirty_thousand_brackets_are_refused_on_every_post_endpoint(fuzz_site: FuzzSite) -> None:
    # Signed out, so before authentication; the guard runs before routing and CSRF alike.
    client = fuzz_site.app.test_client()
    deep = b"[" * 30_000 + b"]" * 30_000
    for endpoint, rule in RULES:
        url = re.sub(r"<[^>]+>", "1", rule)
        response = client.post(url, data=deep, content_type="application/json")
        assert response.status_code == 400, f"{endpoint}: {response.status_code}"
        assert response.json is not None
        assert response.json["reason"] == "depth", endpoint
