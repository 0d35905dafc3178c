"""The recall benchmark's labels (``tests/agreements/labels.yaml``) fit the rubric and the files.

Every labelled item is a scored item of the named rubric and every labelled clause is a clause
number the splitter finds in that agreement's PDF. (The labels were written from the agreements
and the item prompts, never from the rubric's ``look_for`` retrieval hints.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from agreement_files import AGREEMENTS, LABELS_PATH

from rubric_app.documents import read_document
from rubric_app.rubrics.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]


def _labels() -> list[dict[str, Any]]:
    data = yaml.safe_load(LABELS_PATH.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["agreements"]
    return entries


ENTRIES = _labels()


def test_every_test_agreement_is_labelled_once() -> None:
    assert sorted(entry["file"] for entry in ENTRIES) == sorted(AGREEMENTS)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["file"] for entry in ENTRIES])
def test_labels_name_scored_items_and_clauses_of_the_extracted_pdf(entry: dict[str, Any]) -> None:
    rubric = load_catalog(ROOT / "rubrics").rubrics[entry["rubric"]]
    scored = {item.id for item in rubric.items if item.scored}
    labels: dict[str, list[str]] = entry["labels"]
    assert set(labels) <= scored, sorted(set(labels) - scored)
    clauses = {clause.number for clause in read_document(AGREEMENTS[entry["file"]].pdf()).clauses}
    for item_id, numbers in labels.items():
        assert numbers, f"{item_id}: an item the agreement addresses names at least one clause"
        assert len(numbers) == len(set(numbers)), item_id
        missing = [number for number in numbers if number not in clauses]
        assert not missing, f"{item_id}: {missing} not among the clauses of {entry['file']}"
    # Some topics strong, some weak, some missing: never every item of the rubric.
    assert 0.3 * len(scored) <= len(labels) < len(scored)
