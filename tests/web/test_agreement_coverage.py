"""The document page shows its coverage: each clause marked with the items it is accepted for,
the clauses never cited, and a gentle prompt for items rated fully in place in writing with no
clause cited; another organization gets 404 (issue 18, item 3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from agreement_files import mou_text
from flask import Flask
from flask.testing import FlaskClient
from helpers import make_org, make_user, signin
from reports_fixtures import make_setup
from sqlalchemy.orm import Session

from rubric_app.agreements import evidence, operations
from rubric_app.assessments import score_of
from rubric_app.models import AgreementClause, AgreementDocument, Assessment, User
from rubric_app.rubric_versions import rubric_of


@dataclass
class Scene:
    assessment: Assessment
    owner: User
    document: AgreementDocument
    clauses: dict[str, AgreementClause]

    @property
    def url(self) -> str:
        return f"/assessments/{self.assessment.id}/documents/{self.document.id}"


def _full_in_writing(session: Session, assessment: Assessment) -> list[str]:
    """Items rated at the top of the scale on the written side (the first dimension)."""
    rubric = rubric_of(assessment.rubric_version)
    written = rubric.dimensions[0].id
    scores = score_of(session, assessment).items
    full = []
    for item in rubric.items:
        rating = scores[item.id].ratings.get(written)
        scale = rubric.scale_of(item)
        visible = scores[item.id].visible
        if visible and rating is not None and scale is not None:
            full += [item.id] if rating.option_key == scale.top_option.key else []
    return full


@pytest.fixture
def scene(session: Session) -> Scene:
    setup = make_setup(session)
    make_user(session, "viewer@riverton.example.org", setup.org, "viewer")
    document = operations.upload_document(
        session, setup.assessment, data=mou_text().encode(), file_name="mou.txt", user=setup.owner
    )
    session.commit()
    clauses = {clause.number: clause for clause in document.clauses}
    return Scene(setup.assessment, setup.owner, document, clauses)


def _decide(session: Session, scene: Scene, item_id: str, number: str, decision: str) -> None:
    evidence.decide(
        session,
        scene.assessment,
        item_id=item_id,
        clause=scene.clauses[number],
        decision=decision,  # type: ignore[arg-type]
        user=scene.owner,
    )
    session.commit()


def _row(page: str, clause: AgreementClause) -> str:
    match = re.search(rf'<tr id="clause-{clause.id}">(.*?)</tr>', page, re.S)
    assert match is not None, f"no row for clause {clause.number}"
    return match.group(1)


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_each_clause_is_marked_with_the_items_it_is_cited_for(
    client: FlaskClient, session: Session, scene: Scene
) -> None:
    rubric = rubric_of(scene.assessment.rubric_version)
    first, second, third = rubric.items[3], rubric.items[5], rubric.items[8]
    # Decided in reverse rubric order; the page lists them in rubric order.
    _decide(session, scene, second.id, "4.2", "accepted")
    _decide(session, scene, first.id, "4.2", "accepted")
    _decide(session, scene, third.id, "3.1", "dismissed")
    signin(client, scene.owner.email)
    page = client.get(scene.url).get_data(as_text=True)

    row = _row(page, scene.clauses["4.2"])
    section_url = f"/assessments/{scene.assessment.id}/sections/{first.section_id}"
    links = re.findall(r'<a href="([^"]+)">Item ([\d.]+)</a>', row)
    assert [number for _href, number in links] == [
        rubric.item_number(first.id),
        rubric.item_number(second.id),
    ]
    assert links[0][0] == f"{section_url}#item-{first.id}"
    # A dismissed suggestion is no citation.
    assert "Not cited" in _row(page, scene.clauses["3.1"])
    assert "Item " not in _row(page, scene.clauses["3.1"])


def test_the_page_counts_and_lists_the_clauses_never_cited(
    client: FlaskClient, session: Session, scene: Scene
) -> None:
    rubric = rubric_of(scene.assessment.rubric_version)
    _decide(session, scene, rubric.items[3].id, "4.2", "accepted")
    _decide(session, scene, rubric.items[4].id, "2.3", "accepted")
    total = len(scene.document.clauses)
    signin(client, scene.owner.email)
    page = client.get(scene.url).get_data(as_text=True)

    assert f"2 of {total} clauses are" in page
    assert f"{total - 2} are never cited" in page
    listed = _section(page, "Clauses never cited", "</details>")
    assert f"({total - 2})" in listed
    assert f'href="#clause-{scene.clauses["3.1"].id}"' in listed
    assert f'href="#clause-{scene.clauses["4.2"].id}"' not in listed
    assert f'href="#clause-{scene.clauses["2.3"].id}"' not in listed
    # Every listed anchor exists on the page: the list leads to the clause.
    for clause_id in re.findall(r'href="#clause-(\d+)"', listed):
        assert f'<tr id="clause-{clause_id}">' in page


def test_items_rated_fully_in_writing_without_a_clause_get_a_gentle_prompt(
    app: Flask, client: FlaskClient, session: Session, scene: Scene
) -> None:
    full = _full_in_writing(session, scene.assessment)
    assert len(full) > 3
    rubric = rubric_of(scene.assessment.rubric_version)
    cited = full[0]
    _decide(session, scene, cited, "4.2", "accepted")
    signin(client, scene.owner.email)
    page = client.get(scene.url).get_data(as_text=True)

    prompts = _section(
        page, "Rated at the top of the scale in writing, with no clause cited", "</ul>"
    )
    numbers = re.findall(r"#item-[^\"]+\">Item ([\d.]+)</a>", prompts)
    assert numbers == [rubric.item_number(item_id) for item_id in full[1:]]
    label = rubric.dimensions[0].label
    item = rubric.item(full[1])
    scale = rubric.scale_of(item)
    assert scale is not None
    top = scale.top_option.label
    sentence = f"You rated this “{top}” in writing ({label}); no clause is cited yet."
    assert prompts.count(sentence) == len(full) - 1
    assert (
        f'href="/assessments/{scene.assessment.id}/evidence/{item.section_id}">'
        f"Find a clause for item {rubric.item_number(item.id)}</a>"
    ) in prompts

    # A viewer sees the prompt but no link to a page where only editors decide.
    viewer = app.test_client()
    signin(viewer, "viewer@riverton.example.org")
    viewer_page = viewer.get(scene.url).get_data(as_text=True)
    assert "no clause is cited yet" in viewer_page
    assert "/evidence/" not in viewer_page


def test_another_organization_gets_404_for_the_document_page(
    app: Flask, client: FlaskClient, session: Session, scene: Scene
) -> None:
    other = make_org(session, "Elsewhere USD")
    make_user(session, "stranger@example.org", other, "owner")
    session.commit()
    signin(client, "stranger@example.org")
    assert client.get(scene.url).status_code == 404
    owner = app.test_client()
    signin(owner, scene.owner.email)
    assert owner.get(scene.url).status_code == 200
