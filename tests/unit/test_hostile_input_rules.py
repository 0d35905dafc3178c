"""The pure checks behind the hostile-input rules: JSON depth without parsing, control
characters, lone surrogates, and ASCII numbers in range."""

from __future__ import annotations

import json

import pytest

from rubric_app.hostile_input import (
    MAX_JSON_DEPTH,
    first_control_character,
    has_lone_surrogate,
    json_nesting_depth,
    json_too_deep,
    label_problem,
    name_problem,
    strip_control_characters,
    text_problem,
)
from rubric_app.url_numbers import MAX_ID, ascii_number


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"", 0),
        (b'"just text"', 0),
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b"[][][]", 1),
        (b'["[[[[", "{{{{"]', 1),
        (b'{"a": "quote \\" then [[[[["}', 1),
        (b'{"a": "backslash \\\\", "b": [[]]}', 3),
        (b"[" * 30_000 + b"]" * 30_000, 30_000),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(raw: bytes, depth: int) -> None:
    assert json_nesting_depth(raw) == depth


def test_depth_agrees_with_the_parser_on_real_json() -> None:
    value: object = "leaf"
    for level in range(1, 20):
        value = [value] if level % 2 else {"k[": value}
        assert json_nesting_depth(json.dumps(value).encode()) == level


def test_too_deep_is_past_the_limit_only() -> None:
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert not json_too_deep(at_limit)
    assert json_too_deep(b"[" + at_limit + b"]")
    # An unclosed body still counts: the parser would recurse just as deep before failing.
    assert json_too_deep(b"{" * (MAX_JSON_DEPTH + 1))


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_found_in_every_field(char: str) -> None:
    assert first_control_character(f"a{char}b") == char
    assert first_control_character(f"a{char}b", multiline=True) == char
    problem = text_problem(f"a{char}b", multiline=True)
    assert problem is not None
    assert f"U+{ord(char):04X}" in problem


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_belong_only_in_multiline_text(char: str) -> None:
    assert first_control_character(f"a{char}b") == char
    assert first_control_character(f"a{char}b", multiline=True) is None


def test_ordinary_unicode_is_not_a_control_character() -> None:
    text = "Café \u2013 “quoted” \u00a0 \u2028 😀 ²٣"
    assert text_problem(text) is None
    assert strip_control_characters(text) == text


def test_lone_surrogates_are_found_and_pairs_are_not() -> None:
    assert has_lone_surrogate("\ud800")
    assert has_lone_surrogate("a\udfffb")
    assert not has_lone_surrogate(json.loads('"\\ud83d\\ude00"'))
    problem = text_problem("x\ud800", multiline=True)
    assert problem is not None
    assert "lone surrogate" in problem


def test_stripping_keeps_words_apart_on_one_line_and_lines_in_many() -> None:
    text = "Bell\x07 District\r\nBcc: x\x85\ud800"
    assert strip_control_characters(text) == "Bell District  Bcc: x\ufffd"
    assert strip_control_characters(text, multiline=True) == "Bell District\r\nBcc: x\ufffd"
    assert strip_control_characters(text).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 20, None),
        ("0", None),
        ("²", None),
        ("1²", None),
        ("٣", None),
        ("\uff11", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1\n", None),
        ("1_000", None),
        ("", None),
        (None, None),
    ],
)
def test_ascii_number_accepts_ascii_digits_in_range_only(text: str | None, expected: int) -> None:
    assert ascii_number(text) == expected


def test_ascii_number_honours_its_bounds() -> None:
    assert ascii_number("0", low=0) == 0
    assert ascii_number("11", high=10) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Buckeye Youth Justice Coalit\u0456on", "mixes Cyrillic and Latin letters"),
        ("\u0392uckeye Advocates", "mixes Greek and Latin letters"),
        ("\u200b", "invisible formatting character (U+200B)"),
        ("Buckeye Youth Justice \u202enoitilaoC", "invisible formatting character (U+202E)"),
        ("Riverton\u2060 Schools", "invisible formatting character (U+2060)"),
    ],
)
def test_names_that_hide_or_copy_another_are_refused(name: str, problem: str) -> None:
    found = name_problem(name)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "name",
    [
        "Buckeye Youth Justice Coalition",
        "Escuela Niños del Valle",
        "Школа № 5",
        "Ελληνική Κοινότητα",
        "東京 International School",
        "O'Brien-Smith & Co. (K-12)",
    ],
)
def test_real_names_in_one_alphabet_pass(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("\u202e6202 weiver UOM", False, "invisible formatting character (U+202E)"),
        ("Line one\nline \u2066two", True, "invisible formatting character (U+2066)"),
        ("Title\nwith a break", False, "invisible control character (U+000A)"),
    ],
)
def test_labels_refuse_invisible_formatting(text: str, multiline: bool, problem: str) -> None:
    found = label_problem(text, multiline=multiline)
    assert found is not None
    assert problem in found


def test_labels_allow_line_breaks_where_multiline_and_other_alphabets() -> None:
    assert label_problem("Plan\nthe MOU", multiline=True) is None
    assert label_problem("Review, Αθήνα campus") is None
