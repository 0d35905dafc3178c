"""The real files in frameworks/: they load, match their schemas, every requirement is traceable.

"Traceable" is checked here independently of the loader: each requirement names its own
citation and a source address of the framework, maps at least one item, and every mapped item
exists in the shipped rubric it names and is answered in a way that can be in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rubric_app.frameworks.evaluate import evaluate_framework
from rubric_app.frameworks.loader import CROSSWALKS_DIR, read_frameworks
from rubric_app.frameworks.model import Framework
from rubric_app.frameworks.references import RULE_ITEM_TYPES
from rubric_app.rubrics.catalog import load_catalog
from rubric_app.rubrics.yaml_nodes import read_document
from rubric_app.scoring import ItemAnswer

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ROOT / "frameworks"
CATALOG = load_catalog(ROOT / "rubrics")
LOADED = read_frameworks(FRAMEWORKS, CATALOG.rubrics)

#: Each shipped jurisdiction with its status as marked in the project's reference notes on
#: state SRO laws (official / secondary / partial). The COPS entry carries no mark there; its
#: sources are a summary and one agency's award papers, so it is secondary.
EXPECTED_STATUS = {
    "WA": "official",
    "IL": "official",
    "VA": "official",
    "UT": "partial",
    "CT": "secondary",
    "OH": "partial",
    "TX": "official",
    "NY": "secondary",
    "federal": "secondary",
}


def schema(name: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((FRAMEWORKS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


def value_of(path: Path) -> Any:
    document = read_document(path.read_bytes(), str(path))
    assert not document.errors
    return document.value


FRAMEWORK_FILES = sorted(FRAMEWORKS.glob("*.yaml"))
CROSSWALK_FILES = sorted((FRAMEWORKS / CROSSWALKS_DIR).glob("*.yaml"))


def test_every_real_file_loads_without_errors() -> None:
    assert LOADED.errors == (), "\n".join(str(error) for error in LOADED.errors)
    assert len(LOADED.frameworks) == len(FRAMEWORK_FILES)
    assert len(LOADED.crosswalks) == len(CROSSWALK_FILES) >= 1


def test_the_nine_frameworks_are_shipped_with_their_marked_status() -> None:
    shipped = {f.jurisdiction: f.status for f in LOADED.frameworks.values()}
    assert shipped == EXPECTED_STATUS


@pytest.mark.parametrize("framework", LOADED.frameworks.values(), ids=lambda f: f.id)
def test_every_requirement_has_citation_source_and_existing_mapped_items(
    framework: Framework,
) -> None:
    assert framework.citation.strip()
    assert framework.sources
    assert all(source.startswith(("https://", "http://")) for source in framework.sources)
    for requirement in framework.requirements:
        where = f"{framework.id}/{requirement.id}"
        assert requirement.citation.strip(), f"{where} has no citation"
        assert requirement.statement.strip(), f"{where} has no statement"
        assert requirement.source in framework.sources, f"{where} has no listed source"
        checks = [(rule.rubric, check) for rule in requirement.rules for check in rule.checks]
        assert checks, f"{where} maps no item"
        for rubric_id, check in checks:
            rubric = CATALOG.rubrics.get(rubric_id)
            assert rubric is not None, f"{where}: no rubric {rubric_id}"
            assert rubric.has_item(check.item), f"{where}: no item {check.item} in {rubric_id}"
            item = rubric.item(check.item)
            assert item.type in RULE_ITEM_TYPES, f"{where}: {check.item} cannot be in place"
            assert set(check.dimensions) <= set(item.answer_dimensions), where


@pytest.mark.parametrize("framework", LOADED.frameworks.values(), ids=lambda f: f.id)
def test_every_framework_says_it_is_not_legal_advice_and_a_partial_one_says_partial(
    framework: Framework,
) -> None:
    assert "not legal advice" in framework.note
    assert framework.partial == framework.note.startswith("PARTIAL")


def test_the_afterschool_crosswalk_lines_up_the_topics_a_program_compares() -> None:
    crosswalk = LOADED.crosswalks["afterschool-to-local-implementation"]
    assert crosswalk.source.rubric == "afterschool-law-enforcement-partnership"
    assert crosswalk.target.rubric == "secure-local-implementation"
    topics = {pair.topic for pair in crosswalk.pairs}
    assert {"discipline", "information-sharing", "training", "complaints"} <= topics
    assert crosswalk.target_of("no-discipline-role") == "mou-no-discipline-role"
    assert crosswalk.target_of("concern-process") == "complaint-process"
    assert all(pair.note for pair in crosswalk.pairs if pair.match == "close")


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.name)
def test_every_framework_file_matches_the_schema(path: Path) -> None:
    assert [e.message for e in schema("framework").iter_errors(value_of(path))] == []


@pytest.mark.parametrize("path", CROSSWALK_FILES, ids=lambda p: p.name)
def test_every_crosswalk_file_matches_the_schema(path: Path) -> None:
    assert [e.message for e in schema("crosswalk").iter_errors(value_of(path))] == []


def test_the_schemas_refuse_what_the_loader_refuses() -> None:
    framework = value_of(FRAMEWORK_FILES[0])
    requirement = framework["requirements"][0]
    for key in ("citation", "source", "rules"):
        broken = {**framework, "requirements": [{k: v for k, v in requirement.items() if k != key}]}
        assert list(schema("framework").iter_errors(broken)), key
    no_items = {**requirement, "rules": [{"rubric": "x", "items": []}]}
    assert list(schema("framework").iter_errors({**framework, "requirements": [no_items]}))
    assert list(schema("framework").iter_errors({**framework, "status": "draft"}))
    assert list(schema("framework").iter_errors({**framework, "jurisdiction": "wa"}))
    crosswalk = value_of(CROSSWALK_FILES[0])
    assert list(schema("crosswalk").iter_errors({**crosswalk, "pairs": [{"from": "a"}]}))


def test_the_state_policy_crosswalk_lines_up_written_policy_with_written_policy() -> None:
    crosswalk = LOADED.crosswalks["state-policy-to-local-implementation"]
    state = CATALOG.rubrics[crosswalk.source.rubric]
    local = CATALOG.rubrics[crosswalk.target.rubric]
    assert (state.id, local.id) == ("secure-state-local-policy", "secure-local-implementation")
    for pair in crosswalk.pairs:
        # The state rubric is rated on policy only; each partner is rated on policy too.
        assert state.item(pair.source).answer_dimensions == ("policy",)
        assert "policy" in local.item(pair.target).answer_dimensions, pair.target
    assert crosswalk.target_of("purpose-safety-not-discipline") == "mou-no-discipline-role"


def _answer_all(option: str) -> dict[str, ItemAnswer]:
    local = CATALOG.rubrics["secure-local-implementation"]
    answers = {"partnership-exists": ItemAnswer({"value": "yes"})}
    for item in local.items:
        if item.type == "scale":
            answers[item.id] = ItemAnswer(dict.fromkeys(item.answer_dimensions, option))
    return answers


@pytest.mark.parametrize("framework", LOADED.frameworks.values(), ids=lambda f: f.id)
def test_every_shipped_requirement_can_be_met_and_not_met(framework: Framework) -> None:
    # A district with officers that answers every question "fully in place" meets every
    # requirement, and one answering "not in place" meets none: no rule reads an item that the
    # skip logic hides from such a district, and every rule reads only what it names.
    local = CATALOG.rubrics["secure-local-implementation"]
    best = evaluate_framework(framework, local, _answer_all("fully"))
    worst = evaluate_framework(framework, local, _answer_all("not-in-place"))
    assert {r.outcome for r in best} == {"met"}
    assert {r.outcome for r in worst} == {"not-met"}
