"""Citations in words ("MOU §4.2, p. 3"), quotes shortened for print, citations grouped by item,
and a document's coverage: clause marks, never-cited clauses, and the items rated fully in place
in writing with no clause cited (issue 18, item 3). Pure: no app, no database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scoring_factories import (
    POLICY_PRACTICE,
    equals,
    plain_item,
    rated,
    rubric,
    scale_item,
    section,
)
from scoring_factories import value as plain_value

from rubric_app.agreements.coverage import build_coverage, written_side
from rubric_app.documents.citation import citation_text
from rubric_app.reports.citations import (
    QUOTE_CHARS,
    build_citations,
    citations_json,
    shorten_quote,
)
from rubric_app.rubrics.model import Rubric
from rubric_app.scoring import score_assessment
from rubric_app.scoring.answers import Answers


@dataclass
class _Anchor:
    """Shaped like an accepted ``EvidenceAnchor`` row."""

    item_id: str
    clause_id: int | None
    clause_number: str = "4.2"
    page: int | None = 3
    quote: str = "Minor offenses go to the school."
    file_name: str = "mou.pdf"
    document_id: int | None = 1
    clause_heading: str = "Minor offenses"
    document_label: str = "MOU"
    document_sha256: str = "ab" * 32


@dataclass
class _Clause:
    id: int
    number: str
    heading: str = ""
    text: str = "Text."
    page: int | None = None


@pytest.mark.parametrize(
    ("label", "number", "page", "expected"),
    [
        ("MOU", "4.2", 3, "MOU §4.2, p. 3"),
        ("MOU", "4.2", None, "MOU §4.2"),
        ("MOU", "4.2(a)(i)", 12, "MOU §4.2(a)(i), p. 12"),
        ("MOU", "", None, "MOU, preamble"),
        ("MOU", "", 1, "MOU, preamble, p. 1"),
        ("SOP", "Section 5.1", None, "SOP §5.1"),
        ("SOP", "Article IV", 2, "SOP, Article IV, p. 2"),
        ("SOP", "Article IV(a)", None, "SOP, Article IV(a)"),
        ("  Board   policy ", "7", None, "Board policy §7"),
    ],
)
def test_citation_in_words(label: str, number: str, page: int | None, expected: str) -> None:
    assert citation_text(label, number, page) == expected


def test_a_short_quote_is_kept_whole() -> None:
    assert shorten_quote("Officers do not  enforce\nschool rules.") == (
        "Officers do not enforce school rules.",
        False,
    )


def test_a_long_quote_ends_at_a_sentence_when_one_ends_late_enough() -> None:
    first = "The SRO is not a school disciplinarian and does not enforce the code of conduct. "
    quote = first * 3 + "Arrest is a last resort " * 20
    excerpt, shortened = shorten_quote(quote)
    assert shortened
    assert excerpt == (first * 3).strip() + " …"


def test_a_long_quote_without_a_late_sentence_ends_at_a_whole_word() -> None:
    quote = "information sharing under FERPA " * 20
    excerpt, shortened = shorten_quote(quote, limit=60)
    assert shortened
    assert excerpt == "information sharing under FERPA information sharing under…"


@given(st.text(alphabet="ab .;\n", max_size=700), st.integers(min_value=20, max_value=400))
def test_an_excerpt_fits_and_starts_the_quote(quote: str, limit: int) -> None:
    excerpt, shortened = shorten_quote(quote, limit)
    normal = " ".join(quote.split())
    assert len(excerpt) <= limit
    assert shortened == (len(normal) > limit)
    kept = excerpt.removesuffix("…").rstrip() if shortened else excerpt
    assert normal.startswith(kept)


def _two_items() -> Rubric:
    return rubric(
        section("s1", scale_item("a"), scale_item("b")), section("s2", scale_item("c"), number=2)
    )


def test_citations_follow_rubric_order_and_keep_a_deleted_files_quote_whole() -> None:
    long_quote = "Officers shall refer minor offenses to the principal. " * 10
    rows = [
        _Anchor("c", 7),
        # Accepted before the file was deleted: no ids left, the copy of the citation stays.
        _Anchor("a", None, document_id=None, quote=long_quote, clause_number="", page=None),
        _Anchor("a", 4, clause_number="2.1", quote=long_quote),
        _Anchor("not-in-this-rubric", 9),
    ]
    citations = build_citations(_two_items(), rows)
    assert [entry.item_id for entry in citations.items] == ["a", "c"]
    assert [entry.number for entry in citations.items] == ["1.1", "2.1"]
    live, deleted = citations.of("a")
    assert (live.text, live.linked, live.anchor) == ("MOU §2.1, p. 3", True, "clause-4")
    assert live.shortened
    assert len(live.excerpt) <= QUOTE_CHARS
    assert (deleted.text, deleted.linked, deleted.anchor) == ("MOU, preamble", False, "")
    assert deleted.excerpt == long_quote.strip()
    assert not deleted.shortened
    assert citations.of("b") == ()
    assert citations.count == 3
    exported = citations_json(citations)
    assert exported["a"][1]["document_kept"] is False
    assert exported["a"][0]["quote"] == long_quote
    assert exported["c"][0]["citation"] == "MOU §4.2, p. 3"


def test_the_written_side_is_the_first_dimension_or_a_one_dimension_rubrics_only_scale() -> None:
    two_sided = rubric(
        section(
            "s",
            scale_item("both"),
            scale_item("paper", dimensions=("policy",)),
            scale_item("done", dimensions=("practice",)),
            scale_item("single", dimensions=()),
        )
    )
    assert [written_side(two_sided, item) for item in two_sided.items] == [
        "policy",
        "policy",
        None,
        None,
    ]
    one_sided = rubric(section("s", scale_item("single", dimensions=())), dimensions=("policy",))
    assert written_side(one_sided, one_sided.items[0]) == "value"


def _coverage_rubric() -> Rubric:
    return rubric(
        section(
            "s1",
            plain_item("gate"),
            scale_item("full-paper"),
            scale_item("full-but-cited"),
            scale_item("full-practice-only"),
            scale_item("partly-paper"),
        ),
        section("s2", scale_item("hidden", show_if=equals("gate", "yes")), number=2),
        dimensions=POLICY_PRACTICE,
    )


def test_coverage_marks_clauses_lists_the_uncited_and_prompts_for_full_written_ratings() -> None:
    shape = _coverage_rubric()
    answers: Answers = {
        "gate": plain_value("no"),
        "full-paper": rated(policy="fully", practice="partly"),
        "full-but-cited": rated(policy="fully", practice="fully"),
        "full-practice-only": rated(policy="partly", practice="fully"),
        "partly-paper": rated(policy="partly", practice="not-in-place"),
        # Not asked (the gate says no), so its rating does not prompt.
        "hidden": rated(policy="fully", practice="fully"),
    }
    scores = score_assessment(shape, answers).items
    clauses = [_Clause(10, ""), _Clause(11, "1", "Purpose"), _Clause(12, "1.1"), _Clause(13, "2")]
    accepted = [
        _Anchor("partly-paper", 12),
        _Anchor("full-but-cited", 12),
        # Cited in another document: marks nothing here, but the item needs no prompt.
        _Anchor("full-but-cited", 99),
    ]
    coverage = build_coverage(shape, clauses, accepted, scores)
    by_id = {clause.clause_id: clause for clause in coverage.clauses}
    # In rubric order, whatever order the decisions came in.
    assert [item.item_id for item in by_id[12].cited_for] == ["full-but-cited", "partly-paper"]
    assert by_id[12].cited_for[0].anchor == "item-full-but-cited"
    assert by_id[12].anchor == "clause-12"
    assert coverage.cited_count == 1
    assert [clause.clause_id for clause in coverage.never_cited] == [10, 11, 13]
    (prompt,) = coverage.uncited_full
    assert (prompt.item_id, prompt.section_id) == ("full-paper", "s1")
    assert (prompt.dimension_label, prompt.rating_label) == ("Policy", "Fully in place")


def test_a_one_dimension_rubric_prompts_on_its_top_option() -> None:
    shape = rubric(
        section("s", scale_item("top", dimensions=()), scale_item("middle", dimensions=())),
        dimensions=("policy",),
    )
    answers: Answers = {"top": rated(value="fully"), "middle": rated(value="partly")}
    coverage = build_coverage(shape, [], [], score_assessment(shape, answers).items)
    assert [item.item_id for item in coverage.uncited_full] == ["top"]
    assert coverage.clauses == ()
