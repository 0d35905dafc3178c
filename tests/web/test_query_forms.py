"""The query strings of the compare and state dashboard pages are read by forms.

``CompareQuery`` reads ``ids`` (comma-separated or repeated) and names each bad part;
``DashboardQuery`` answers an unknown filter with a note and drops it instead of failing.
"""

from __future__ import annotations

from flask import Flask, request

from rubric_app.compare.forms import CompareQuery
from rubric_app.states.forms import DashboardQuery
from rubric_app.vocabulary import LOCALES


def _compare(app: Flask, query: str) -> CompareQuery:
    with app.test_request_context(f"/compare?{query}"):
        form = CompareQuery(formdata=request.args)
        form.validate()
        return form


def test_ids_keep_their_order_without_repeats_whether_comma_separated_or_repeated(
    app: Flask,
) -> None:
    form = _compare(app, "ids=3,%203,2&ids=7")
    assert form.asked()
    assert form.ids.data == [3, 2, 7]
    assert form.ids.errors == []


def test_every_bad_id_is_named_and_the_count_is_checked(app: Flask) -> None:
    form = _compare(app, "ids=1,%C2%B2,x")
    assert form.ids.errors == [
        "“²” is not an assessment number.",
        "“x” is not an assessment number.",
    ]
    assert _compare(app, "ids=4").ids.errors == ["Choose at least 2 assessments to compare."]
    assert _compare(app, "ids=").asked()
    assert not _compare(app, "other=1").asked()


def test_an_unknown_filter_is_dropped_with_a_note_and_a_known_one_kept(app: Flask) -> None:
    with app.test_request_context("/states/OH/dashboard?locale=moon&sro_model=sheriff&period="):
        query = DashboardQuery(formdata=request.args)
        assert query.take(query.locale, LOCALES) == (
            "",
            ["Unknown locale 'moon': showing every locale."],
        )
        assert query.take(query.sro_model, ("sheriff",)) == ("sheriff", [])
        assert query.take(query.rubric, ("a",)) == ("", [])
        assert query.period.asked()
        assert not query.kind.asked()
