"""Evidence decisions on agreement clauses: accept, dismiss, replace, withdraw, survive deletion,
refuse another assessment's clause, and two people deciding at once end with one row."""

from __future__ import annotations

import threading

import pytest
from agreement_files import mou_text
from flask import Flask
from helpers import make_org, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.agreements import evidence, operations
from rubric_app.assessments import start_assessment
from rubric_app.db import db
from rubric_app.models import AgreementClause, Assessment, EvidenceAnchor, User
from rubric_app.rubric_versions import latest_version

ITEM = "mou-roles-responsibilities"


def _setup(session: Session) -> tuple[Assessment, User, list[AgreementClause]]:
    org = make_org(session, "Harbor Valley USD")
    owner = make_user(session, "owner@example.org", org, "owner")
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="Review", period="2026-27", user=owner
    )
    document = operations.upload_document(
        session, assessment, data=mou_text().encode(), file_name="mou.txt", user=owner
    )
    session.commit()
    return assessment, owner, [clause for clause in document.clauses if clause.number]


def _rows(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(EvidenceAnchor)) or 0


def test_accept_copies_the_citation_and_a_later_decision_replaces_it(session: Session) -> None:
    assessment, owner, clauses = _setup(session)
    clause = clauses[3]
    row = evidence.decide(
        session, assessment, item_id=ITEM, clause=clause, decision="accepted", user=owner
    )
    session.commit()
    assert (row.clause_number, row.page, row.quote) == (clause.number, clause.page, clause.text)
    assert row.document_sha256 == clause.document.sha256
    assert [anchor.clause_id for anchor in evidence.accepted(session, assessment.id)] == [clause.id]
    evidence.decide(
        session, assessment, item_id=ITEM, clause=clause, decision="dismissed", user=owner
    )
    session.commit()
    assert _rows(session) == 1
    assert evidence.accepted(session, assessment.id) == []
    assert evidence.decisions(session, assessment.id) == {(ITEM, clause.id): "dismissed"}
    assert evidence.withdraw(session, assessment, item_id=ITEM, clause_id=clause.id)
    session.commit()
    assert _rows(session) == 0


def test_accepted_evidence_outlives_its_file(session: Session) -> None:
    assessment, owner, clauses = _setup(session)
    clause = clauses[2]
    number, text = clause.number, clause.text
    evidence.decide(
        session, assessment, item_id=ITEM, clause=clause, decision="accepted", user=owner
    )
    session.commit()
    operations.delete_document(session, assessment, clause.document, user=owner)
    session.commit()
    session.expire_all()
    (kept,) = evidence.accepted(session, assessment.id)
    assert (kept.clause_id, kept.document_id) == (None, None)
    assert (kept.clause_number, kept.quote, kept.file_name) == (number, text, "mou.txt")
    # A deleted file's rows are no longer live decisions (nothing to suggest or dismiss).
    assert evidence.decisions(session, assessment.id) == {}


def test_another_assessments_clause_is_refused(session: Session) -> None:
    assessment, owner, clauses = _setup(session)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    second = start_assessment(
        session,
        org=assessment.organization,
        version=version,
        title="Other",
        period="2027-28",
        user=owner,
    )
    session.commit()
    with pytest.raises(evidence.ClauseNotInAssessment):
        evidence.decide(
            session, second, item_id=ITEM, clause=clauses[0], decision="accepted", user=owner
        )


@pytest.mark.parametrize("decisions", [("accepted", "accepted"), ("accepted", "dismissed")])
def test_two_people_deciding_at_once_leave_one_row(
    app: Flask, session: Session, decisions: tuple[evidence.Decision, evidence.Decision]
) -> None:
    assessment, owner, clauses = _setup(session)
    assessment_id, owner_id, clause_id = assessment.id, owner.id, clauses[4].id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(decision: evidence.Decision) -> None:
        try:
            with app.app_context(), Session(db.engine) as own:
                mine = own.get(Assessment, assessment_id)
                user = own.get(User, owner_id)
                clause = own.get(AgreementClause, clause_id)
                assert mine is not None
                assert user is not None
                assert clause is not None
                barrier.wait()
                evidence.decide(
                    own, mine, item_id=ITEM, clause=clause, decision=decision, user=user
                )
                own.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=decide, args=(d,)) for d in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert _rows(session) == 1
    (decision,) = evidence.decisions(session, assessment_id).values()
    assert decision in decisions
