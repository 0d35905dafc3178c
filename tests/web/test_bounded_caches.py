"""The process-wide caches stay bounded: ``BoundedCache`` itself, and the two caches keyed by
rubric objects (rendered item introductions, item text rules), which rubric objects that come
and go must not grow for the life of a worker."""

from __future__ import annotations

import threading

import pytest
from answer_type_fixtures import every_type_rubric
from flask import Flask

from rubric_app.bounded_cache import BoundedCache
from rubric_app.catalog_state import current_catalog
from rubric_app.form_base import text_rules
from rubric_app.questionnaire import forms, static_parts
from rubric_app.questionnaire.fields import item_type, note_fields


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    cache.clear()
    assert len(cache) == 0


def test_the_cache_holds_its_bound_under_threads() -> None:
    cache: BoundedCache[int, int] = BoundedCache(50)
    wrong: list[tuple[int, int]] = []

    def fill(start: int) -> None:
        for key in range(start, start + 2000):
            cache.put(key, key)
            found = cache.get(key - 1)
            if found is not None and found != key - 1:
                wrong.append((key - 1, found))

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(cache) == 50


def test_item_text_rules_stay_bounded_as_rubrics_come_and_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forms, "_ITEM_TEXT_RULES", BoundedCache(3))
    rubrics = [every_type_rubric() for _ in range(4)]
    item = rubrics[0].items[0]
    for rubric in rubrics:
        rules = forms._item_text_rules(rubric.item(item.id), rubric)
        fields = {**item_type(item).create_fields(item, rubric), **note_fields(item, rubric)}
        assert rules == text_rules(fields)
    assert len(forms._ITEM_TEXT_RULES) == 3


def test_item_introductions_stay_bounded_as_rubrics_come_and_go(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(static_parts, "_INTROS", BoundedCache(2))
    with app.test_request_context():
        resources = current_catalog().resources
        shown = []
        for _ in range(3):
            rubric = every_type_rubric()
            section = rubric.sections[0]
            shown.append(static_parts.item_intros(rubric, section, resources))
    assert len(static_parts._INTROS) == 2
    # Every rubric object got the same introductions, each rendered for it.
    assert shown[0] == shown[1] == shown[2]
    assert shown[0]
