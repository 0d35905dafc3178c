"""Property-based fuzz of every GET endpoint's query string: hostile values never give a
server error.

Every GET rule of the app's URL map is requested with its path variables filled from the demo
rows (org A's objects, org B's, ids that do not exist, 20-digit ids) and a query string of
known parameter names (``ids``, ``page``, the dashboard filters, ``next``, ...) and random
ones, holding the classes of issue 12: control characters, lone surrogates sent as raw bytes,
digits that are not ASCII, numbers too big for any integer column, plus ordinary junk. Signed
in as Riverton's owner, and as Buckeye's advocate for the state dashboards, which only an
advocate reaches. Every answer must be below 500.

Runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL. PDF endpoints get fewer
examples: each one renders a document, and their query strings are parsed by the same helpers
as the HTML pages'.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fuzz_support import (
    ADVOCATE,
    BACKENDS,
    USER_A,
    FuzzSite,
    build_fuzz_site,
    encode_pairs,
    fill_url,
    hostile_text,
    rules_for,
    scalar_text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubric_app import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
DERANDOMIZE = bool(os.environ.get("CI")) and not os.environ.get("FUZZ_RANDOM")

_MAP_APP = create_app({"TESTING": True, "SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
RULES = [(rule.endpoint, rule.rule) for rule in rules_for(_MAP_APP, "GET")]

#: Every query parameter some page reads (``request.args`` in rubric_app), so the fuzz reaches
#: the parsing code and not only the "unknown parameter" path.
QUERY_NAMES = [
    "ids",
    "chosen",
    "page",
    "rubric",
    "period",
    "kind",
    "enrollment_band",
    "locale",
    "sro_model",
    "item",
    "version",
    "restore",
    "previous",
    "next",
    "invitation",
    "state",
    "step",
]


def _user_for(endpoint: str) -> str:
    return ADVOCATE if endpoint.startswith("states.") else USER_A


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzSite]:
    yield from build_fuzz_site(request, tmp_path_factory)


@st.composite
def query_string(draw: st.DrawFn, site: FuzzSite) -> str:
    """A query string: known and random names, ordinary and hostile values, repeated."""
    values = st.one_of(hostile_text(), hostile_text(), scalar_text(site.values))
    # Each name a page reads is present or not, so most examples reach the parsing code.
    known = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(QUERY_NAMES, values)))
    names = st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=12), hostile_text())
    extra = draw(st.lists(st.tuples(names, values), max_size=3))
    return encode_pairs([*known.items(), *extra])


def test_every_get_endpoint_is_fuzzed() -> None:
    endpoints = {endpoint for endpoint, _ in RULES}
    assert {"compare.index", "states.dashboard", "accounts.audit_log"} <= endpoints


@pytest.mark.parametrize(("endpoint", "rule"), RULES, ids=[f"{e} {r}" for e, r in RULES])
def test_random_query_strings_never_fail(endpoint: str, rule: str, fuzz_site: FuzzSite) -> None:
    user = _user_for(endpoint)
    fuzz_site.ensure_signed_in(user)
    examples = max(3, EXAMPLES // 6) if ".pdf" in rule or endpoint.endswith("pdf") else EXAMPLES

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def get_anything(data: st.DataObject) -> None:
        url = fill_url(rule, fuzz_site.url_values, data.draw)
        query = data.draw(query_string(fuzz_site))
        response = fuzz_site.client(user).get(f"{url}?{query}")
        assert response.status_code < 500, f"{endpoint}: GET {url}?{query[:300]} answered 500"

    get_anything()
