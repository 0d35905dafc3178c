"""The shared per-request costs removed for issue 15 item 4, and that nothing changed with them.

- ``rubric_of`` keeps rebuilt rubrics per process, keyed by rubric id, version and content
  hash, so one version's definition is never served for another's, and the stored definition
  (a deferred column) is not even read on a hit;
- ``role_in`` answers a repeated question about one membership from what it read earlier in
  the same transaction, but asks the database again once anything was written;
- an autosave reads the stored answers once (``save_section`` hands them to ``save_items``);
- the signed-in user comes with the server session in one query, the user's memberships are
  read once per transaction (and still see a membership added but not yet flushed), the
  assessment comes with its rubric version, and a save's lock does not make the user or the
  rubric version be read again.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from helpers import make_org, make_user, signin, statements_run
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session
from test_questionnaire_pages import form_fields, section_url

from rubric_app import rubric_versions
from rubric_app.access import memberships_of, role_in
from rubric_app.assessments import load_states, start_assessment
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.models import Membership, RubricVersion
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.rubrics.serialize import definition_hash, rubric_to_definition


def _retitled(rubric: Rubric, version: str, title: str) -> Rubric:
    """The rubric under another version string, with its first section renamed."""
    first = rubric.sections[0]
    return Rubric(
        **{
            **{
                f: getattr(rubric, f)
                for f, spec in rubric.__dataclass_fields__.items()
                if spec.init
            },
            "version": version,
            "sections": (
                type(first)(first.id, first.number, title, first.summary, first.items),
                *rubric.sections[1:],
            ),
        }
    )


def _unsaved_version(rubric: Rubric, *, version_label: str | None = None) -> RubricVersion:
    """A RubricVersion for ``rubric`` that lives in no database (the cache does not care)."""
    definition = rubric_to_definition(rubric)
    return RubricVersion(
        rubric_key=rubric.id,
        version=version_label or rubric.version,
        title=rubric.title,
        content_hash=definition_hash(definition),
        definition=definition,
    )


def test_each_version_gets_its_own_rubric_from_the_cache(session: Session) -> None:
    base = current_catalog().rubrics["secure-local-implementation"]
    versions = [
        _unsaved_version(_retitled(base, f"2099.{n}", f"Section title {n}")) for n in range(3)
    ]
    # Twice over, so the second round is served from the cache.
    for _ in range(2):
        for n, version in enumerate(versions):
            rubric = rubric_of(version)
            assert rubric.version == f"2099.{n}"
            assert rubric.sections[0].title == f"Section title {n}"


def test_same_version_string_with_other_content_is_not_confused(app: Flask) -> None:
    """Two databases may hold different content under one version string: the hash tells."""
    base = current_catalog().rubrics["secure-local-implementation"]
    one = _unsaved_version(_retitled(base, "2099.9", "One"))
    other = _unsaved_version(_retitled(base, "2099.9", "Other"))
    assert (one.rubric_key, one.version) == (other.rubric_key, other.version)
    assert rubric_of(one).sections[0].title == "One"
    assert rubric_of(other).sections[0].title == "Other"
    assert rubric_of(one).sections[0].title == "One"


def test_the_cache_is_bounded(app: Flask) -> None:
    limit = rubric_versions.REBUILT_LIMIT
    assert rubric_versions._REBUILT.maxsize == limit
    base = current_catalog().rubrics["secure-local-implementation"]
    versions = [
        _unsaved_version(_retitled(base, f"2098.{n}", f"Bounded {n}")) for n in range(limit + 2)
    ]
    for version in versions:
        rubric_of(version)
        assert len(rubric_versions._REBUILT) <= limit
    # The evicted ones are rebuilt, correctly, when asked for again.
    assert rubric_of(versions[0]).sections[0].title == "Bounded 0"


def test_a_cache_hit_does_not_read_the_stored_definition(app: Flask, session: Session) -> None:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    expected = rubric_of(version)  # warm the cache
    session.expunge_all()
    again = session.scalar(select(RubricVersion).where(RubricVersion.id == version.id))
    assert again is not None
    assert "definition" in inspect(again).unloaded
    with statements_run(db.engine) as seen:
        assert rubric_of(again) is expected
    assert seen == []
    assert "definition" in inspect(again).unloaded


def test_a_cache_miss_reads_the_stored_definition(session: Session) -> None:
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    rubric_versions._REBUILT.clear()
    session.expunge_all()
    fresh = session.get(RubricVersion, version.id)
    assert fresh is not None
    assert rubric_of(fresh) == current_catalog().rubrics["secure-local-implementation"]


def test_a_repeated_role_question_is_answered_once_per_transaction(session: Session) -> None:
    org = make_org(session, "Memo District")
    user = make_user(session, "memo@example.org", org, role="editor")
    session.commit()
    with statements_run(db.engine) as seen:
        assert role_in(session, user, org.id) == "editor"
        assert role_in(session, user, org.id) == "editor"
    assert len([s for s in seen if "memberships" in s]) == 1


def test_a_role_changed_in_the_transaction_is_seen(session: Session) -> None:
    org = make_org(session, "Changing District")
    user = make_user(session, "changing@example.org", org, role="owner")
    session.commit()
    assert role_in(session, user, org.id) == "owner"
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership is not None
    membership.role = "viewer"
    session.flush()
    assert role_in(session, user, org.id) == "viewer"
    session.execute(update(Membership).where(Membership.user_id == user.id).values(role="editor"))
    assert role_in(session, user, org.id) == "editor"
    session.rollback()
    assert role_in(session, user, org.id) == "owner"


def test_a_role_changed_by_another_connection_is_seen_in_the_next_transaction(
    app: Flask, session: Session
) -> None:
    org = make_org(session, "Remote District")
    user = make_user(session, "remote@example.org", org, role="owner")
    session.commit()
    assert role_in(session, user, org.id) == "owner"
    session.commit()
    with Session(db.engine) as other:
        other.execute(update(Membership).where(Membership.user_id == user.id).values(role="viewer"))
        other.commit()
    assert role_in(session, user, org.id) == "viewer"


def test_an_autosave_reads_the_stored_answers_once(app: Flask, session: Session) -> None:
    org = make_org(session, "Autosave District")
    make_user(session, "autosave@example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="T", period="2026-27", user=None
    )
    session.commit()
    client = app.test_client()
    signin(client, "autosave@example.org")
    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    fields["partnership-exists__value"] = ["yes"]
    with statements_run(db.engine) as seen:
        response = client.post(
            f"/assessments/{assessment.id}/autosave",
            data=fields,
            headers={"X-CSRFToken": fields["csrf_token"][0]},
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "saved", body
    assert body["saved"] == ["partnership-exists"]
    # load_states reads every answer row of the assessment; _write_items reads only the
    # changed items' rows (``IN``).
    whole_reads = [
        s
        for s in seen
        if s.lstrip().upper().startswith("SELECT")
        and "FROM answers" in s
        and " IN (" not in s.upper()
    ]
    assert len(whole_reads) == 1, whole_reads
    session.expire_all()
    assert load_states(session, assessment)["partnership-exists"].values == {"value": "yes"}


def _selects_from(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]


def _draft_signed_in(app: Flask, session: Session, name: str) -> tuple[Any, Any]:
    org = make_org(session, f"{name} District")
    make_user(session, f"{name.lower()}@example.org", org)
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    assessment = start_assessment(
        session, org=org, version=version, title="T", period="2026-27", user=None
    )
    session.commit()
    client = app.test_client()
    signin(client, f"{name.lower()}@example.org")
    # The requests share this session (one app context): start them with nothing loaded, as a
    # server's fresh request does.
    session.expunge_all()
    return assessment, client


def test_a_page_reads_the_user_with_the_session_and_the_rubric_version_with_the_assessment(
    app: Flask, session: Session
) -> None:
    assessment, client = _draft_signed_in(app, session, "Joined")
    with statements_run(db.engine) as seen:
        response = client.get(section_url(assessment))
    assert response.status_code == 200
    users = _selects_from(seen, "users")
    assert len(users) == 1, users
    assert "JOIN user_sessions" in users[0]
    assert _selects_from(seen, "user_sessions") == []
    assert _selects_from(seen, "rubric_versions") == []
    # The assessment came with both (``assessment_or_404``).
    assessments = _selects_from(seen, "assessments")
    assert len(assessments) == 1, assessments
    assert "rubric_versions" in assessments[0]


def test_a_session_of_another_user_signs_nobody_in(app: Flask, session: Session) -> None:
    """The joined read still asks for this user's own session: a cookie naming another user
    with a live token of someone else's is refused."""
    assessment, client = _draft_signed_in(app, session, "Owner")
    other = make_user(session, "intruder@example.org", make_org(session, "Elsewhere"))
    session.commit()
    with client.session_transaction() as cookie:
        user_id = cookie["_user_id"]
        _own_id, version, token = user_id.split(":")
        cookie["_user_id"] = f"{other.id}:{version}:{token}"
    response = client.get(section_url(assessment))
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_an_autosave_reads_neither_user_nor_rubric_version_again_under_the_lock(
    app: Flask, session: Session
) -> None:
    assessment, client = _draft_signed_in(app, session, "Locked")
    fields = form_fields(client.get(section_url(assessment)).get_data(as_text=True))
    fields["partnership-exists__value"] = ["yes"]
    session.expunge_all()
    with statements_run(db.engine) as seen:
        response = client.post(
            f"/assessments/{assessment.id}/autosave",
            data=fields,
            headers={"X-CSRFToken": fields["csrf_token"][0]},
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["saved"] == ["partnership-exists"]
    # The user once, with the session, before the view; the rubric version with the assessment.
    assert len(_selects_from(seen, "users")) == 1, _selects_from(seen, "users")
    assert _selects_from(seen, "rubric_versions") == []
    # The assessment is read once, under the lock (what a save checks is never stale): the
    # access check and the save share that read.
    reads = _selects_from(seen, "assessments")
    assert len(reads) == 1, reads
    if db.engine.dialect.name == "sqlite":
        assert seen.index("BEGIN IMMEDIATE") < seen.index(reads[0])
    else:
        assert "FOR UPDATE" in reads[0]


def test_a_page_reads_the_memberships_once(app: Flask, session: Session) -> None:
    """The two-step rule, the access checks and the header's organizations share one read."""
    assessment, client = _draft_signed_in(app, session, "Members")
    with statements_run(db.engine) as seen:
        response = client.get(section_url(assessment))
    assert response.status_code == 200
    reads = [s for s in seen if "memberships" in s]
    assert len(reads) == 1, seen
    # ... and that read is the signed-in user's own, with the server session.
    assert "JOIN user_sessions" in reads[0]
    assert "Members District" in response.get_data(as_text=True)


def test_the_memberships_read_with_the_user_decide_like_their_own_query(
    app: Flask, session: Session
) -> None:
    """A member of two organizations: both are in the switcher, and each role holds (owner of
    one, viewer of the other), from the one read that comes with the user."""
    assessment, client = _draft_signed_in(app, session, "Twofold")
    other = make_org(session, "Another Twofold District")
    user = session.scalar(select(Membership.user_id).where(Membership.org_id == assessment.org_id))
    session.add(Membership(user_id=user, org_id=other.id, role="viewer"))
    version = latest_version(session, "secure-local-implementation")
    assert version is not None
    theirs = start_assessment(
        session, org=other, version=version, title="T", period="2026-27", user=None
    )
    session.commit()
    session.expunge_all()
    with statements_run(db.engine) as seen:
        mine = client.get(section_url(assessment))
        viewed = client.get(section_url(theirs))
    assert mine.status_code == 200
    page = mine.get_data(as_text=True)
    assert "Twofold District" in page
    assert "Another Twofold District" in page
    # The viewer is sent to the read-only answers.
    assert viewed.status_code == 302
    assert "/review" in viewed.headers["Location"]
    reads = [s for s in seen if "memberships" in s]
    assert len(reads) == 2, reads
    assert all("JOIN user_sessions" in s for s in reads), reads


def test_memberships_added_in_the_transaction_are_seen(session: Session) -> None:
    org = make_org(session, "First District")
    user = make_user(session, "member@example.org", org, role="owner")
    session.commit()
    assert [o.name for o, _role in memberships_of(session, user)] == ["First District"]
    second = make_org(session, "Second District")
    session.flush()
    # Added but not flushed: the next question still sees it.
    session.add(Membership(user_id=user.id, org_id=second.id, role="viewer"))
    assert [(o.name, role) for o, role in memberships_of(session, user)] == [
        ("First District", "owner"),
        ("Second District", "viewer"),
    ]
    assert role_in(session, user, second.id) == "viewer"
    session.rollback()
    assert role_in(session, user, second.id) is None


def test_memberships_are_remembered_per_user(session: Session) -> None:
    """Two users asked about in one transaction each get their own organizations."""
    mine = make_org(session, "Mine District")
    theirs = make_org(session, "Theirs District")
    me = make_user(session, "me@example.org", mine, role="owner")
    them = make_user(session, "them@example.org", theirs, role="viewer")
    session.commit()
    assert role_in(session, me, mine.id) == "owner"
    assert role_in(session, them, mine.id) is None
    assert role_in(session, them, theirs.id) == "viewer"
    assert role_in(session, me, theirs.id) is None
    assert [o.name for o, _role in memberships_of(session, me)] == ["Mine District"]
    assert [o.name for o, _role in memberships_of(session, them)] == ["Theirs District"]
