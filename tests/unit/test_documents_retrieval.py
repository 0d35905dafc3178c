"""Suggested passages: BM25 over an agreement's clauses, with the words that matched."""

from __future__ import annotations

from rubric_app.documents.retrieval import (
    Passage,
    build_index,
    highlight_spans,
    stems,
    suggest,
)

CLAUSES = [
    Passage(1, "", "", "Memorandum of understanding between the Harbor Valley School District "
            "and the Harbor Valley Police Department.", 1),
    Passage(2, "1", "Purpose", "The parties share the goal of a safe and positive school "
            "climate for every student.", 1),
    Passage(3, "4.1", "School discipline", "Discipline is the sole prerogative of school "
            "officials. Officers shall not enforce the code of conduct or school rules that "
            "are not crimes.", 2),
    Passage(4, "5.2", "Information sharing", "Officers may see education records only in a "
            "health or safety emergency; routine access is limited to directory information "
            "under FERPA.", 3),
    Passage(5, "7", "Complaints", "Students and parents may file complaints about an officer "
            "with the principal; every complaint is investigated within thirty days.", 4),
    Passage(6, "8", "Use of force", "Officers use force only as a last resort and report each "
            "use of force, restraint or handcuffs to the principal.", 5),
    Passage(7, "9", "Department rules", "The code of the department applies to the officer's "
            "own conduct on duty and off duty, in dealings with students and staff.", 5),
]  # fmt: skip


def test_the_clause_that_answers_ranks_first_and_says_why() -> None:
    index = build_index(CLAUSES)
    found = suggest(
        index,
        "The MOU states that SROs have no role in administering school discipline.",
        ["school discipline", "code of conduct", "sole prerogative"],
    )
    assert found[0].key == 3
    # The whole phrases first, then the other words, as the query writes them.
    assert found[0].matched[:3] == ("school discipline", "code of conduct", "sole prerogative")
    assert found[0].score > 0
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_each_topic_finds_its_clause() -> None:
    index = build_index(CLAUSES)
    cases = {
        4: ("What student information may be shared?", ["FERPA", "directory information"]),
        5: ("Is there a way to complain about an SRO?", ["complaint", "grievance"]),
        6: ("Does the MOU limit force?", ["use of force", "restraint", "handcuffs"]),
    }
    for key, (prompt, look_for) in cases.items():
        assert suggest(index, prompt, look_for, k=1)[0].key == key, prompt


def test_a_whole_phrase_outranks_the_same_words_apart() -> None:
    # Clause 7 has "code" and "conduct" apart, clause 3 has "code of conduct" whole.
    index = build_index([CLAUSES[6], CLAUSES[2]])
    found = suggest(index, "", ["code of conduct"])
    assert [s.key for s in found] == [3, 7]
    assert found[0].matched == ("code of conduct",)
    assert found[1].matched == ("code", "conduct")


def test_plurals_and_word_forms_match_through_their_stems() -> None:
    index = build_index(CLAUSES)
    # "complaint" finds "complaints" and "complaint"; "investigations" finds "investigated".
    (first,) = suggest(index, "", ["complaint", "investigations"], k=1)
    assert first.key == 5
    assert first.matched == ("complaint", "investigations")
    assert stems("Officers") == stems("officer")
    assert stems("records") == stems("record")


def test_excluded_keys_never_return() -> None:
    index = build_index(CLAUSES)
    found = suggest(index, "school discipline", ["code of conduct"], k=10, exclude={3, 7})
    assert found, "other clauses still match 'school'"
    assert {s.key for s in found}.isdisjoint({3, 7})


def test_only_clauses_that_match_are_returned_best_first_up_to_k() -> None:
    index = build_index(CLAUSES)
    assert suggest(index, "weather forecast", ["snowfall"]) == []
    assert len(suggest(index, "officers", [], k=2)) == 2
    # Stop words alone ask nothing.
    assert suggest(index, "the and of", ["to be"]) == []
    assert suggest(index, "discipline", [], k=0) == []


def test_an_empty_document_suggests_nothing() -> None:
    assert suggest(build_index([]), "school discipline", ["code of conduct"]) == []
    blank = build_index([Passage(1, "", "", "", None), Passage(2, "1", "", "...", None)])
    assert suggest(blank, "school discipline", ["code of conduct"]) == []


def test_equal_scores_keep_document_order() -> None:
    twins = [Passage(key, str(key), "", "Training for officers.", None) for key in (9, 4, 6)]
    assert [s.key for s in suggest(build_index(twins), "training", [])] == [9, 4, 6]


def test_highlight_spans_mark_the_matched_words_in_the_text() -> None:
    text = "Complaints about an Officer\u2019s conduct; the code of conduct applies."
    spans = highlight_spans(text, ("code of conduct", "complaint", "officer"))
    assert [text[start:end] for start, end in spans] == [
        "Complaints",
        "Officer",
        "conduct",
        "code",
        "conduct",
    ]
    assert highlight_spans(text, ()) == []


def test_what_matched_is_said_in_the_clauses_own_words() -> None:
    """Stems find "informal" for "informed"; the list names the clause's word, not the item's,
    and keeps an entry the clause has as it is (a phrase stays a phrase)."""
    from rubric_app.agreements.suggestions import clause_words

    heading = "Counseling"
    text = "An informal counselor may meet students; the SRO follows the Use of Force policy."
    found = clause_words((heading, text), ("informed", "use of force", "sro"))
    assert found == ("informal", "use of force", "sro")
    assert "informed" not in found
    assert clause_words((heading, text), ("budget",)) == ()
