"""Top-k recall of suggestions against made-up labels."""

from __future__ import annotations

from rubric_app.documents.recall import Recall, answers, top_k_recall

LABELS = {
    "discipline": ["4.1", "4.2"],
    "privacy": ["5.2"],
    "complaints": ["9"],
    "unlabelled": [],
}


def test_an_item_is_found_when_any_labelled_clause_is_in_the_top_k() -> None:
    suggested = {
        "discipline": ["1.2", "4.2", "3.1"],  # second place: found
        "privacy": ["5.1", "5.3", "2.5", "5.2"],  # fourth place: not in the top 3
        "complaints": ["9(a)"],  # a sub-clause of a labelled clause: found
        "unlabelled": ["1"],
    }
    recall = top_k_recall(LABELS, suggested)
    assert recall == Recall(found=2, labelled=3, missed=("privacy",))
    assert recall.value == 2 / 3
    assert top_k_recall(LABELS, suggested, k=4).value == 1.0
    assert top_k_recall(LABELS, suggested, k=1).missed == ("discipline", "privacy")


def test_items_without_suggestions_are_missed_and_empty_labels_give_zero() -> None:
    assert top_k_recall(LABELS, {}) == Recall(0, 3, ("discipline", "privacy", "complaints"))
    assert top_k_recall({}, {"x": ["1"]}).value == 0.0


def test_sub_clauses_count_but_neighbours_do_not() -> None:
    assert answers("4.2(a)(i)", ["4.2"])
    assert not answers("4.21", ["4.2"])
    assert not answers("4", ["4.2"])


def test_recalls_add_up_across_agreements() -> None:
    total = Recall(2, 3, ("a",)) + Recall(1, 1, ())
    assert (total.found, total.labelled, total.missed, total.value) == (3, 4, ("a",), 0.75)
