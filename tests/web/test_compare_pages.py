"""Comparing assessments: chooser, side by side, wording relative to the viewer, headline, chart,
trend, different rubrics, numeric CSV, PDF hierarchy, access."""

from __future__ import annotations

import csv
import html
import io
import random
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.sharing import revoke_share, share_assessment
from rubric_app.assessments import (
    ItemChange,
    load_answers,
    rubric_for,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.compare.view_data import format_points, points_text, relation_text
from rubric_app.demo import generate_states
from rubric_app.models import Assessment, Organization, User
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.scoring import score_assessment
from rubric_app.scoring.compare import Cell, compare_scores, largest_step_difference, relation_of

LOCAL = "secure-local-implementation"
AFTERSCHOOL = "afterschool-law-enforcement-partnership"


def _make(
    session: Session,
    org: Organization,
    user: User,
    rubric_id: str,
    period: str,
    maturity: float,
    *,
    submit_it: bool = True,
    seed: str | None = None,
) -> Assessment:
    version = latest_version(session, rubric_id)
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title=f"Review {period}", period=period, user=user
    )
    # Seeded by the organization's name, not its id: ids depend on which tests ran before in
    # the same database, and the fixture's score order must not.
    states = generate_states(
        rubric_of(version), random.Random(seed or f"{org.name}-{period}"), maturity
    )
    save_items(session, assessment, [ItemChange(i, s, None) for i, s in states.items()], user=user)
    if submit_it:
        submit(session, assessment, user=user)
    return assessment


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    home = make_org(session, "=Home District")
    me = make_user(session, "me@home.example.org", home)
    partner = make_org(session, "Partner Youth Club", kind="afterschool_program")
    partner_user = make_user(session, "lead@partner.example.org", partner)
    stranger = make_org(session, "Stranger District")
    stranger_user = make_user(session, "x@stranger.example.org", stranger)
    old = _make(session, home, me, LOCAL, "2024-25", 0.3)
    new = _make(session, home, me, LOCAL, "2025-26", 0.8, submit_it=False)
    shared = _make(session, partner, partner_user, AFTERSCHOOL, "2025-26", 0.5)
    share_assessment(session, shared, home, by=partner_user, partner=home.partner_code)
    revoked = _make(session, partner, partner_user, AFTERSCHOOL, "2024-25", 0.5)
    revoke_share(
        session,
        share_assessment(session, revoked, home, by=partner_user, partner=home.partner_code),
        by=None,
    )
    private = _make(session, stranger, stranger_user, LOCAL, "2025-26", 0.5)
    # A district whose answers are the same as Home's 2024-25 ones, shared with Home.
    twin_org = make_org(session, "Twin District")
    twin_user = make_user(session, "t@twin.example.org", twin_org)
    twin = _make(session, twin_org, twin_user, LOCAL, "2024-25", 0.3, seed=f"{home.name}-2024-25")
    share_assessment(session, twin, home, by=twin_user, partner=home.partner_code)
    session.commit()
    return {
        "old": old,
        "new": new,
        "shared": shared,
        "revoked": revoked,
        "private": private,
        "twin": twin,
    }


def _percent(session: Session, assessment: Assessment) -> float:
    percent = score_assessment(rubric_for(assessment), load_answers(session, assessment)).percent
    assert percent is not None
    return percent


def _main(page: str) -> str:
    """Return the page's <main> element (entities decoded): what the comparison itself says."""
    match = re.search(r"<main\b.*</main>", page, re.S)
    assert match, page[:500]
    return html.unescape(match.group(0))


def _comparison(session: Session, *assessments: Assessment, reference: int = 0) -> Any:
    pairs = []
    for assessment in assessments:
        rubric = rubric_for(assessment)
        pairs.append((rubric, score_assessment(rubric, load_answers(session, assessment))))
    return compare_scores(pairs, reference=reference)


def test_chooser_lists_own_and_shared_only(client: FlaskClient, world: dict[str, Any]) -> None:
    signin(client, "me@home.example.org")
    page = client.get("/compare").get_data(as_text=True)
    assert 'type="checkbox"' in page
    for key in ("old", "new", "shared"):
        assert f'value="{world[key].id}"' in page
    for key in ("revoked", "private"):
        assert f'value="{world[key].id}"' not in page
    assert "Shared with you" in page


def test_own_assessments_across_periods(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    old, new = world["old"], world["new"]
    response = client.get(f"/compare?ids={old.id}&ids={new.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected_old = score_assessment(rubric_for(old), load_answers(session, old)).percent
    expected_new = score_assessment(rubric_for(new), load_answers(session, new)).percent
    assert expected_old is not None
    assert expected_new is not None
    assert expected_new > expected_old + 1
    assert format_points(expected_old) in page
    assert format_points(expected_new) in page
    # Within one organization, the difference reads against the viewer's first column, and the
    # trend over the organization's own periods may say "up".
    difference = expected_new - expected_old
    assert f"{points_text(difference)} higher than your district (2024-25)" in page
    assert f"up {points_text(difference)} since 2024-25" in page
    assert "Trend" in page
    assert "(yours)" in page
    # Same rubric: item-level ratings, with the chosen options in words.
    assert "Written MOU or policy: " in page
    assert "compare-items" in page


def test_different_rubrics_compare_by_action_step(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    page = client.get(f"/compare?ids={world['old'].id},{world['shared'].id}").get_data(as_text=True)
    assert "compared by SECURe action step" in page
    assert "Build lasting partnerships" in page  # a shared section id
    assert "Trend" not in page


@pytest.mark.parametrize("key", ["revoked", "private"])
def test_unseeable_assessments_are_404(
    client: FlaskClient, world: dict[str, Any], key: str
) -> None:
    signin(client, "me@home.example.org")
    ids = f"{world['old'].id},{world[key].id}"
    for url in (f"/compare?ids={ids}", f"/compare.csv?ids={ids}", f"/compare.pdf?ids={ids}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/compare?ids={world['old'].id},999999").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ids=1", "Choose at least 2 assessments"),
        ("ids=1,2,3,4,5", "Choose at most 4 assessments to compare (you chose 5)"),
        ("ids=1,abc", "“abc” is not an assessment number."),
    ],
)
def test_bad_choices_get_clear_errors(
    client: FlaskClient, world: dict[str, Any], query: str, message: str
) -> None:
    signin(client, "me@home.example.org")
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_pressing_compare_with_nothing_ticked_says_to_choose_two(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    chooser = client.get("/compare").get_data(as_text=True)
    form = re.search(r'<form method="get"[^>]*>.*?</form>', chooser, re.S)
    assert form is not None
    # What the browser sends with no box ticked: the form's hidden fields only.
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0))
    assert hidden
    response = client.get("/compare", query_string=dict(hidden))
    assert response.status_code == 400
    assert "Choose at least 2 assessments to compare." in response.get_data(as_text=True)
    # Opening the page is not pressing the button: no message.
    assert "Choose at least" not in chooser


VERDICTS = re.compile(r"\b(better|worse)\b|[\u25b2\u25bc]|compare-change--", re.I)


@pytest.mark.parametrize("own_first", [True, False])
def test_differences_read_against_the_viewers_organization(
    client: FlaskClient, session: Session, world: dict[str, Any], own_first: bool
) -> None:
    """Home's old review is below the partner's, its new one above: both ways, in either order."""
    signin(client, "me@home.example.org")
    partner = _percent(session, world["shared"])
    for key, relation in (("old", "higher"), ("new", "lower")):
        own = world[key]
        mine = _percent(session, own)
        difference = partner - mine
        assert abs(difference) > 0.5
        assert (difference > 0) == (relation == "higher")
        ids = [own.id, world["shared"].id] if own_first else [world["shared"].id, own.id]
        page = _main(client.get(f"/compare?ids={ids[0]},{ids[1]}").get_data(as_text=True))
        assert f"{points_text(difference)} {relation} than your district" in page
        assert not VERDICTS.search(page), VERDICTS.search(page)
        # The viewer's own column is the reference, wherever it stands.
        assert re.search(r"=Home District · [^<]*<span class=\"compare-baseline\">\(yours\)", page)
        assert "Differences are measured from your district" in page


def test_the_other_organization_sees_the_same_gap_from_its_side(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    # The partner lead has the Home district's review only when it is shared with the partner.
    home = world["old"].organization
    partner_org = world["shared"].organization
    share_assessment(session, world["old"], partner_org, by=None, partner=partner_org.partner_code)
    session.commit()
    del home
    difference = _percent(session, world["old"]) - _percent(session, world["shared"])
    assert difference < -0.5
    signin(client, "lead@partner.example.org")
    page = _main(
        client.get(f"/compare?ids={world['old'].id},{world['shared'].id}").get_data(as_text=True)
    )
    assert f"{points_text(difference)} lower than your program" in page
    assert f"Your program's overall score is {points_text(difference)} higher than =Home" in page
    assert not VERDICTS.search(page)


def test_equal_scores_read_as_the_same(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    assert _percent(session, world["twin"]) == _percent(session, world["old"])
    signin(client, "me@home.example.org")
    page = _main(
        client.get(f"/compare?ids={world['twin'].id},{world['old'].id}").get_data(as_text=True)
    )
    assert "the same as your district" in page
    assert "Your district's overall score is the same as Twin District's" in page
    assert "the biggest difference" not in page  # no step differs beyond half a point
    assert not VERDICTS.search(page)


def test_without_an_own_assessment_the_first_column_is_the_reference(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    shared, twin = world["shared"], world["twin"]
    difference = _percent(session, twin) - _percent(session, shared)
    assert abs(difference) > 0.5
    relation = "higher" if difference > 0 else "lower"
    page = _main(client.get(f"/compare?ids={shared.id},{twin.id}").get_data(as_text=True))
    assert (
        "None of these assessments is =Home District's, so differences are measured from the "
        "first column, Partner Youth Club · 2025-26" in page
    )
    assert f"{points_text(difference)} {relation} than Partner Youth Club" in page
    assert "(reference)" in page
    assert "(yours)" not in page
    assert "Partner Youth Club's overall score is" in page
    assert "your district" not in page
    assert not VERDICTS.search(page)


def test_headline_names_the_overall_gap_and_the_biggest_step(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    new, shared = world["new"], world["shared"]
    overall = _percent(session, new) - _percent(session, shared)
    assert overall > 0.5
    biggest = largest_step_difference(_comparison(session, shared, new, reference=1))
    assert biggest is not None
    page = _main(client.get(f"/compare?ids={shared.id},{new.id}").get_data(as_text=True))
    headline = re.search(r'<p class="lead compare-headline">(.*?)</p>', page, re.S)
    assert headline, page
    assert headline.group(1) == (
        f"Your district's overall score is {points_text(overall)} higher than Partner Youth "
        f"Club's; the biggest difference is in Step {biggest.number}, {biggest.title}."
    )


def test_chart_scales_and_has_a_text_alternative(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    new, shared = world["new"], world["shared"]
    page = _main(client.get(f"/compare?ids={new.id},{shared.id}").get_data(as_text=True))
    match = re.search(r'<svg [^>]*class="compare-chart".*?</svg>', page, re.S)
    assert match, "no comparison chart"
    svg = ET.fromstring(match.group(0))  # noqa: S314 - markup this app just rendered
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    _, _, width, height = (float(n) for n in (svg.get("viewBox") or "").split())
    title = svg.find(f"{ns}title")
    desc = svg.find(f"{ns}desc")
    assert title is not None
    assert title.text == "Scores by action step"
    assert desc is not None
    assert desc.text
    labelled = (svg.get("aria-labelledby") or "").split()
    assert labelled == [title.get("id"), desc.get("id")]
    # Every step's score of each assessment is in the description, as on the bars.
    comparison = _comparison(session, new, shared)
    for row in comparison.section_rows:
        assert row.title in desc.text
        for cell in row.cells:
            if cell.value is not None:
                assert f"{cell.value:.0f}%" in desc.text
    values = [t for t in svg.iter(f"{ns}text") if t.get("class") == "compare-chart-value"]
    assert len(values) == 2 * len(comparison.section_rows)
    for element in svg.iter():
        x, y = element.get("x"), element.get("y")
        if x is not None and y is not None:
            assert 0 <= float(x) < width - 30, element.attrib
            assert 0 < float(y) <= height, element.attrib
        if element.tag == f"{ns}rect" and element.get("x") is not None:
            assert float(element.get("x") or 0) + float(element.get("width") or 0) <= width
    # The data table is kept beside the chart.
    assert "<figcaption>" in page
    assert (
        "<caption>Overall and action-step scores; differences are measured from your district"
        in page
    )


def _csv(client: FlaskClient, ids: str) -> list[list[str]]:
    response = client.get(f"/compare.csv?ids={ids}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_has_numeric_score_and_difference_columns(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    old, shared = world["old"], world["shared"]
    rows = _csv(client, f"{shared.id},{old.id}")
    header, body = rows[0], rows[1:]
    assert header[:5] == ["row", "step", "dimension", "item", "item text"]
    assert header[5].startswith("Partner Youth Club · 2025-26 · ")
    assert header[5].endswith(": score (% of maximum)")
    # A formula-like name is neutralized in the header.
    assert any(name.startswith("'=Home District") for name in header)
    numeric = [i for i, name in enumerate(header) if name.endswith(("(% of maximum)", "(points)"))]
    score_at = {name: i for i, name in enumerate(header) if name.endswith("(% of maximum)")}
    assert len(score_at) == 2
    difference_at = [i for i, name in enumerate(header) if name.endswith("(points)")]
    # Only the partner's column is measured, from the viewer's own (the reference) column.
    assert len(difference_at) == 1
    assert header[difference_at[0]].startswith("Partner Youth Club")
    assert "difference from your district (points)" in header[difference_at[0]]
    for row in body:
        assert len(row) == len(header)
        for i in numeric:
            assert "%" not in row[i]
            assert "point" not in row[i]
            if row[i]:
                float(row[i])  # raises on anything but a number
    overall = body[0]
    assert overall[:3] == ["overall", "", "all"]
    mine, partner = _percent(session, old), _percent(session, shared)
    own_score = next(i for name, i in score_at.items() if name.startswith("'=Home"))
    partner_score = next(i for name, i in score_at.items() if name.startswith("Partner"))
    assert float(overall[own_score]) == round(mine, 1)
    assert float(overall[partner_score]) == round(partner, 1)
    assert float(overall[difference_at[0]]) == round(partner - mine, 1)
    assert float(overall[difference_at[0]]) > 0  # signed: the partner is higher
    steps = [row for row in body if row[0] == "step" and row[2] == "all"]
    assert [row[1] for row in steps][:1] == ["Step 1. " + steps[0][1].split(". ", 1)[1]]
    assert all(row[1].startswith("Step ") for row in steps)


def test_csv_items_keep_their_options_in_a_text_column(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    rows = _csv(client, f"{world['old'].id},{world['new'].id}")
    header, body = rows[0], rows[1:]
    items = [row for row in body if row[0] == "item"]
    assert items
    note_at = [i for i, name in enumerate(header) if name.endswith(": note")]
    assert len(note_at) == 2
    assert any("Written MOU or policy: " in row[i] for row in items for i in note_at)
    assert all(row[3] for row in items)  # item id
    assert all(row[4] for row in items)  # item text


def test_pdf_keeps_steps_with_their_dimensions(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    old, new = world["old"], world["new"]
    response = client.get(f"/compare.pdf?ids={old.id},{new.id}")
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(response.data))
    # Whitespace normalized: a long heading wraps onto two lines.
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Comparison of 2 assessments" in text
    assert "Your district's overall score in 2024-25 is" in text
    comparison = _comparison(session, old, new)
    headings = [f"Step {row.number}. {row.title}" for row in comparison.section_rows]
    positions = []
    start = text.index("Overall score and its dimensions")
    for heading in headings:
        position = text.index(heading, start)
        positions.append(position)
        start = position + len(heading)
    assert positions == sorted(positions)
    # Under each step heading, before the next: its score, then its dimensions, then its items.
    ends = [*positions[1:], len(text)]
    for heading, begin, end in zip(headings, positions, ends, strict=True):
        part = text[begin:end]
        assert "Step score" in part, heading
        assert part.index("Written MOU or policy") < part.index("Practice"), heading
        assert f"Items in {heading}" in part, heading
    assert not VERDICTS.search(text)


def test_three_columns_name_each_gap_and_where_the_biggest_is(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    signin(client, "me@home.example.org")
    old, new, shared = world["old"], world["new"], world["shared"]
    mine = _percent(session, old)
    to_new, to_partner = _percent(session, new) - mine, _percent(session, shared) - mine
    assert to_new > 0.5
    assert to_partner > 0.5
    biggest = largest_step_difference(_comparison(session, shared, old, new, reference=1))
    assert biggest is not None
    against = "your district in 2025-26" if biggest.column == 2 else "Partner Youth Club"
    page = _main(client.get(f"/compare?ids={shared.id},{old.id},{new.id}").get_data(as_text=True))
    headline = re.search(r'<p class="lead compare-headline">(.*?)</p>', page, re.S)
    assert headline, page
    assert headline.group(1) == (
        f"Your district's overall score in 2024-25 is {points_text(to_partner)} lower than "
        f"Partner Youth Club's and {points_text(to_new)} lower than your district's score in "
        f"2025-26; the biggest difference is in Step {biggest.number}, {biggest.title}, "
        f"against {against}."
    )
    assert f"{points_text(to_new)} higher than your district (2024-25)" in page
    assert not VERDICTS.search(page)


def test_headline_of_a_reference_with_too_few_answers_says_so(
    client: FlaskClient, session: Session, world: dict[str, Any]
) -> None:
    """Rated items, but too few for a score: not "it has no rated items", which its own
    table cell ("not enough answers, from 2 of ...") contradicted."""
    home = session.scalar(select(Organization).where(Organization.name == "=Home District"))
    me = session.scalar(select(User).where(User.email == "me@home.example.org"))
    assert home is not None
    assert me is not None
    version = latest_version(session, LOCAL)
    assert version is not None
    sparse = start_assessment(
        session, org=home, version=version, title="Early draft", period="2027-28", user=me
    )
    states = generate_states(rubric_of(version), random.Random("sparse"), 0.5)
    three = dict([(i, s) for i, s in states.items() if s.values][:3])
    save_items(session, sparse, [ItemChange(i, s, None) for i, s in three.items()], user=me)
    session.commit()
    signin(client, "me@home.example.org")
    page = _main(
        client.get(f"/compare?ids={sparse.id},{world['shared'].id}").get_data(as_text=True)
    )
    headline = re.search(r'<p class="lead compare-headline">(.*?)</p>', page, re.S)
    assert headline, page
    text = " ".join(headline.group(1).split())
    assert re.search(
        r"cannot be compared yet: not enough answers \(from [1-3] of \d+ items answered; "
        r"a score needs at least \d+\)",
        text,
    ), text
    assert "no rated items" not in text


@pytest.mark.parametrize(
    ("difference", "text"),
    [(18.0, "18 points"), (-1.0, "1 point"), (6.5, "6.5 points"), (-6.52, "6.5 points"),
     (7.98, "8 points")],
)  # fmt: skip
def test_a_difference_reads_as_precisely_as_the_scores_beside_it(
    difference: float, text: str
) -> None:
    """30% against 36.5% is "6.5 points", as the CSV says: not 6 (or 7) beside those figures."""
    assert points_text(difference) == text


@given(
    value=st.integers(0, 100_000).map(lambda n: n / 1000),
    reference=st.integers(0, 100_000).map(lambda n: n / 1000),
)
def test_a_stated_difference_is_the_difference_of_the_printed_scores(
    value: float, reference: float
) -> None:
    """27.96% against 36.04% prints "28%" and "36%": 8 points between them, never 8.1."""
    difference = round(value - reference, 9)
    relation = relation_of(difference)
    sentence = relation_text(Cell(value, difference, relation), "your district")
    if relation == "same":
        assert sentence == "the same as your district"
        return
    points = float(sentence.split(" point")[0])
    shown = float(format_points(value)[:-1]) - float(format_points(reference)[:-1])
    assert points == pytest.approx(abs(shown), abs=1e-9)
    assert (relation == "higher") == (shown > 0)


def test_the_example_of_the_rounding_report() -> None:
    cell = Cell(36.04, round(36.04 - 27.96, 9), "higher")
    assert (format_points(27.96), format_points(36.04)) == ("28%", "36%")
    assert relation_text(cell, "your district") == "8 points higher than your district"
