"""Every page type passes the Nu Html Checker (vnu.jar) with zero errors, and every GET
endpoint is either a listed page type or listed as not a page.

vnu.jar runs once over all the pages saved to a folder: the JVM takes seconds to start.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pages import NOT_PAGES, PAGE_TYPES, PageType
from quality_site import VNU_JAR, DemoSite

from rubric_app.db import db


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def fetch_page(site: DemoSite, page: PageType) -> str:
    """The HTML of ``page`` as its user sees it, after checking the status code."""
    with site.app.app_context():
        url = page.url(db.session)
    response = site.client_for(page.user).get(url)
    assert response.status_code == page.status, (
        f"{page.name}: GET {url} as {page.user} answered {response.status_code}, "
        f"expected {page.status}"
    )
    assert response.mimetype == "text/html", f"{page.name}: {response.mimetype}"
    return response.get_data(as_text=True)


def test_every_get_endpoint_is_a_listed_page(demo_site: DemoSite) -> None:
    listed = {page.endpoint for page in PAGE_TYPES} | set(NOT_PAGES)
    missing = sorted(
        rule.endpoint
        for rule in demo_site.app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint not in listed
    )
    assert not missing, (
        "GET endpoints that no quality check visits; add them to PAGE_TYPES or NOT_PAGES "
        f"in tests/quality/pages.py: {missing}"
    )
    stale = sorted(
        endpoint for endpoint in listed if endpoint and endpoint not in demo_site.app.view_functions
    )
    assert not stale, f"tests/quality/pages.py lists endpoints that no longer exist: {stale}"


def test_every_page_type_is_valid_html(demo_site: DemoSite, tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run `npm ci` (make test does)"
    names: dict[str, str] = {}
    for index, page in enumerate(PAGE_TYPES):
        path = tmp_path / f"{index:02d}-{slug(page.name)}.html"
        path.write_text(fetch_page(demo_site, page), encoding="utf-8")
        names[path.name] = page.name
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu prints its JSON report on stderr and exits 1 when it found errors.
    report = json.loads(result.stderr or result.stdout)
    errors = [
        message
        for message in report["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]
    lines = [
        f"{names.get(Path(message.get('url', '')).name, message.get('url'))} "
        f"line {message.get('lastLine')}: {message['message']} "
        f"[{(message.get('extract') or '').strip()}]"
        for message in errors
    ]
    assert not errors, "Nu Html Checker errors:\n" + "\n".join(lines)
