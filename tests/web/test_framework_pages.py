"""The public framework method pages: every framework, its requirements, items and caveats."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_index_lists_every_framework_with_status_and_date(client: FlaskClient) -> None:
    response = client.get("/frameworks")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    for name in ("Washington", "Illinois", "Virginia", "Utah", "Connecticut", "Ohio", "Texas"):
        assert name in page
    assert "New York" in page
    assert "Federal (funding conditions)" in page
    assert "Not legal advice." in page
    assert "2026-07-01" in page  # Illinois's text date
    assert 'href="/frameworks/wa-rcw-28a-320-124"' in response.get_data(as_text=True)


def test_a_method_page_shows_each_requirement_with_citation_source_and_items(
    client: FlaskClient,
) -> None:
    response = client.get("/frameworks/wa-rcw-28a-320-124")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(html)
    assert "RCW 28A.320.124(1)(d)" in page
    assert "Date of the text used 2021" in page
    assert "Not legal advice." in page
    assert "check the current text" in page.lower()
    assert 'href="https://app6.leg.wa.gov/rcw/default.aspx?cite=28A.320.124"' in html
    # The complaint requirement names the local rubric's complaint item, linked by number.
    assert re.search(
        r'href="/rubrics/secure-local-implementation#item-complaint-process">'
        r"[^<]+, \d+\.\d+</a>: Students, families and staff have a clear",
        html,
    )
    assert "What the questions do not show:" in page
    assert "Listed in the law but not checked by any question" in page
    assert "Partial list." not in page


def test_a_partial_framework_says_so(client: FlaskClient) -> None:
    page = text_of(client.get("/frameworks/ut-code-53g-8-703").get_data(as_text=True))
    assert "Partial list." in page
    assert "Not stated by the source" in page  # Utah's text date


def test_an_unknown_framework_is_not_found(client: FlaskClient) -> None:
    assert client.get("/frameworks/no-such-law").status_code == 404


class TestBrokenFrameworkFile:
    """A broken framework file never stops the app; the others are still shown."""

    @pytest.fixture
    def app_config(self, tmp_path: Path) -> dict[str, Any]:
        folder = tmp_path / "frameworks"
        shutil.copytree(ROOT / "frameworks", folder)
        path = folder / "tx-educ-37-081.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("status: official", "status: ?"))
        return {"FRAMEWORKS_DIR": str(folder)}

    def test_the_other_frameworks_are_still_served(self, app: Flask, client: FlaskClient) -> None:
        page = text_of(client.get("/frameworks").get_data(as_text=True))
        assert "Washington" in page
        assert "Texas" not in page
        assert client.get("/frameworks/tx-educ-37-081").status_code == 404
