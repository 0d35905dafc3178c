"""The comparison PDF is cached like the report PDF: a repeat download renders nothing.

Renders are counted by ``pdf_cache.render_counts`` (the cache's own counter, incremented only
when WeasyPrint runs), so a hit is proven by the count not moving, and invalidation by it moving
after an answer of one compared assessment changed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import signin
from pypdf import PdfReader
from reports_fixtures import Setup, make_assessment, make_setup, rated_states
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemChange, ItemState, save_items
from rubric_app.config import PROJECT_ROOT
from rubric_app.models import Assessment
from rubric_app.reports import pdf_cache


@pytest.fixture
def pair(session: Session) -> tuple[Setup, Assessment]:
    """A submitted assessment and a draft of the next period, to compare."""
    setup = make_setup(session, period="2024-25")
    draft = make_assessment(session, setup.org, setup.owner, period="2025-26", submitted=False)
    return setup, draft


def _download(client: FlaskClient, ids: str) -> tuple[bytes, str]:
    response = client.get(f"/compare.pdf?ids={ids}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    return response.data, response.headers["X-PDF-Cache"]


def _cached_files(app: Flask) -> list[str]:
    return sorted(path.name for path in Path(app.config["PDF_CACHE_DIR"]).glob("compare-*.pdf"))


def test_second_download_is_a_cache_hit(
    app: Flask, client: FlaskClient, pair: tuple[Setup, Assessment]
) -> None:
    setup, draft = pair
    signin(client, setup.owner.email)
    ids = f"{setup.assessment.id},{draft.id}"
    before = pdf_cache.render_counts["compare"]
    first, first_cache = _download(client, ids)
    assert (first_cache, pdf_cache.render_counts["compare"]) == ("miss", before + 1)
    second, second_cache = _download(client, ids)
    assert (second_cache, pdf_cache.render_counts["compare"]) == ("hit", before + 1)
    assert second == first
    assert "Comparison of 2 assessments" in PdfReader(io.BytesIO(second)).pages[0].extract_text()
    # The other order is another comparison (another baseline): its own entry.
    _, reversed_cache = _download(client, f"{draft.id},{setup.assessment.id}")
    assert reversed_cache == "miss"
    assert len(_cached_files(app)) == 2


def test_an_answer_change_renders_it_again(
    app: Flask, client: FlaskClient, session: Session, pair: tuple[Setup, Assessment]
) -> None:
    setup, draft = pair
    signin(client, setup.owner.email)
    ids = f"{setup.assessment.id},{draft.id}"
    _download(client, ids)
    before = pdf_cache.render_counts["compare"]
    item_id, state = next(
        (item_id, state)
        for item_id, state in rated_states(session=session).items()
        if "not-in-place" in state.values.values()
    )
    changed = ItemState(values=dict.fromkeys(state.values, "fully"))
    save_items(session, draft, [ItemChange(item_id, changed, None)], user=setup.owner)
    session.commit()
    _, after_change = _download(client, ids)
    assert (after_change, pdf_cache.render_counts["compare"]) == ("miss", before + 1)
    # The stale file of this comparison was replaced, not kept beside the new one.
    assert len(_cached_files(app)) == 1
    _, again = _download(client, ids)
    assert (again, pdf_cache.render_counts["compare"]) == ("hit", before + 1)


def test_comparison_key_changes_with_revision_and_content() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Shown:
        text: str

    base = pdf_cache.comparison_key([(1, 4), (2, 7)], Shown("a"))
    assert base.startswith(pdf_cache.comparison_prefix([1, 2]))
    assert pdf_cache.comparison_key([(1, 4), (2, 8)], Shown("a")) != base
    assert pdf_cache.comparison_key([(1, 4), (2, 7)], Shown("b")) != base
    # A prefix of one comparison never matches another's files ("1_2-" is not "1_23-").
    assert not pdf_cache.comparison_key([(1, 4), (23, 7)], Shown("a")).startswith(
        pdf_cache.comparison_prefix([1, 2])
    )


def _templates_used(name: str) -> set[str]:
    """Return ``name`` and every template it extends, imports or includes, recursively."""
    source = (PROJECT_ROOT / "templates" / name).read_text()
    found = {name}
    for used in re.findall(r'{%-?\s*(?:extends|from|import|include)\s+"([^"]+)"', source):
        found |= _templates_used(used)
    return found


def test_comparison_fingerprint_reads_every_template_the_pdf_uses() -> None:
    covered = {
        str(path.relative_to(PROJECT_ROOT / "templates"))
        for pattern in pdf_cache.COMPARISON_LAYOUT_FILES
        if pattern.startswith("templates/")
        for path in PROJECT_ROOT.glob(pattern)
    }
    assert _templates_used("compare/compare_pdf.html") <= covered
    assert "static/css/pdf.css" in pdf_cache.COMPARISON_LAYOUT_FILES
