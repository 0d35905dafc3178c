"""What the fuzz tests share: the seeded site and its signed-in sessions, the endpoints, values
for their URL variables, the field names each form expects, the hostile-value strategies, and a
fingerprint of another organization's data.

Signed in as the owner of Riverton (org A), the fuzz aims at Riverton's own objects and at
Cedar Hollow's (org B, which shares nothing with Riverton); Cedar Hollow's rows must come out
unchanged whatever is posted. The state dashboards are fuzzed as Buckeye's advocate, the one
demo user who may see them.

The hostile classes of issue 12 are drawn everywhere a value is: control characters (C0 and
C1), lone surrogates, digits that are not ASCII (``²``, ``٣``), numbers too big for any integer
column, and (for bodies) JSON nested far past ``MAX_JSON_DEPTH``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_from, signin
from hypothesis import strategies as st
from pages import PAGE_TYPES
from quality_site import make_quality_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateSchema, DropSchema

from rubric_app.agreements.operations import upload_document
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db, make_engine
from rubric_app.demo import seed_demo
from rubric_app.framework_state import current_frameworks
from rubric_app.hostile_input import MAX_JSON_DEPTH
from rubric_app.jobs.models import Job
from rubric_app.migrate import upgrade
from rubric_app.models import (
    Action,
    AgreementDocument,
    Answer,
    Assessment,
    EvidenceAnchor,
    Invitation,
    ItemNote,
    Membership,
    Organization,
    Share,
    Snapshot,
    User,
    UserSession,
)
from rubric_app.rubric_versions import record_catalog

ORG_A = "Riverton City School District"
ORG_B = "Cedar Hollow Local Schools"
USER_A = "admin@riverton.example.org"
USER_B = "admin@cedar.example.org"
ADVOCATE = "advocate@buckeye.example.org"

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgres"] if TEST_DATABASE_URL else [])

#: Numbers no id or page can be: past int32 (PostgreSQL's integer), past int64 (SQLite), huge.
HUGE_NUMBERS = ["2147483648", "9223372036854775808", "9" * 20, "9" * 5000]
#: Strings that ``str.isdigit`` accepts and a number parser may not (or reads as other digits).
NOT_ASCII_DIGITS = ["²", "1²", "٣", "\uff11\uff12", "߁", "፩", "Ⅻ", "½"]
LONE_SURROGATES = ["\ud800", "a\udfffb", "\udbff", "x\ud83d"]

#: POST endpoints the fuzz leaves alone, with the reason.
NOT_FUZZED: dict[str, str] = {}

_NAME = re.compile(r'name="([^"]+)"')
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def rules_for(app: Flask, method: str) -> list[Any]:
    """Every URL rule that accepts ``method``, sorted by endpoint."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if method in (rule.methods or ()) and rule.endpoint not in NOT_FUZZED
        ),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def post_rules(app: Flask) -> list[Any]:
    """Every URL rule that accepts POST (form or JSON), sorted by endpoint."""
    return rules_for(app, "POST")


def _org(session: Session, name: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    assert org is not None, f"demo organization {name!r} is missing"
    return org


def _ids(session: Session, model: Any, *where: Any) -> list[int]:
    return list(session.scalars(select(model.id).where(*where).order_by(model.id)))


def _assessments(session: Session, org: Organization) -> list[int]:
    return _ids(session, Assessment, Assessment.org_id == org.id)


def _documents(session: Session, org_b: Organization, assessments: list[int]) -> list[int]:
    """Agreement document ids of both orgs; org B gets one first, so a post that reached it
    would show in its fingerprint."""
    target = session.scalar(
        select(Assessment).where(Assessment.org_id == org_b.id).order_by(Assessment.id)
    )
    owner = session.scalar(
        select(User).join(Membership).where(Membership.org_id == org_b.id).order_by(User.id)
    )
    exists = select(AgreementDocument.id).where(
        AgreementDocument.assessment_id == (target.id if target is not None else -1)
    )
    if target is not None and owner is not None and session.scalar(exists) is None:
        upload_document(
            session, target, data=b"1. Purpose\nSafety first.", file_name="b.txt", user=owner
        )
        session.commit()
    return _ids(session, AgreementDocument, AgreementDocument.assessment_id.in_(assessments))


def url_values(session: Session) -> dict[str, list[Any]]:
    """Candidate values for each URL variable name: org A's objects, org B's, and nonsense."""
    org_a, org_b = _org(session, ORG_A), _org(session, ORG_B)
    catalog = current_catalog()
    sections = sorted({section.id for r in catalog.rubrics.values() for section in r.sections})
    items = sorted({item.id for r in catalog.rubrics.values() for item in r.items})
    both = (org_a.id, org_b.id)
    assessments = _assessments(session, org_a) + _assessments(session, org_b)
    shares = _ids(session, Share, Share.assessment_id.in_(assessments) | Share.to_org_id.in_(both))
    members = _ids(session, Membership, Membership.org_id.in_(both))
    users = list(
        session.scalars(
            select(Membership.user_id).where(Membership.org_id.in_(both)).order_by(Membership.id)
        )
    )
    # Every id variable may also be a number out of range: the converter must answer 404.
    nonsense: list[Any] = [999_999, *HUGE_NUMBERS[:3]]
    return {
        "assessment_id": [*assessments, *nonsense],
        "other_id": [*assessments, *nonsense],
        "org_id": [*both, *nonsense],
        "section_id": [*sections, "no-such-section", "²"],
        "item_id": [*items, "no-such-item"],
        "rubric_id": [*sorted(catalog.rubrics), "no-such-rubric"],
        "framework_id": [*sorted(current_frameworks().frameworks), "no-such-law", "²"],
        # Jobs started by the users of both organizations (a job page is only its starter's).
        "job_id": [*_ids(session, Job, Job.user_id.in_(users)), *nonsense],
        "share_id": [*shares, *nonsense],
        "membership_id": [*members, *nonsense],
        "member_id": [*members, *nonsense],
        "user_id": [*users, *nonsense],
        "action_id": [*_ids(session, Action, Action.assessment_id.in_(assessments)), *nonsense],
        "document_id": [*_documents(session, org_b, assessments), *nonsense],
        # Carrying an action forward names last period's action as its source.
        "source_id": [*_ids(session, Action, Action.assessment_id.in_(assessments)), *nonsense],
        "invitation_id": [*_ids(session, Invitation, Invitation.org_id.in_(both)), *nonsense],
        "snapshot_id": [*_ids(session, Snapshot, Snapshot.assessment_id.in_(assessments)), 1],
        "session_id": [*_ids(session, UserSession, UserSession.user_id.in_(users)), 999_999],
        "number": [1, 2, 999, *HUGE_NUMBERS[:3]],
        "state": ["OH", "CA", "ZZ", "oh"],
        "code": ["OH", "CA", "ZZ", "oh"],
        "token": ["not-a-token", "a" * 200],
        "key": ["not-a-key"],
        "filename": ["x.pdf"],
        # Which PDF of an assessment (reports.pdf_documents.ASSESSMENT_PDFS).
        "document": ["report", "board", "no-such-pdf"],
        "path": ["x"],
    }


def fill_url(rule: str, values: dict[str, list[Any]], draw: st.DrawFn) -> str:
    """``rule`` with each ``<variable>`` replaced by a drawn candidate (percent-encoded)."""
    url = rule
    for name in _VARIABLE.findall(rule):
        candidates = values.get(name)
        assert candidates, f"no fuzz values for URL variable {name!r}: add them to url_values()"
        value = quote(str(draw(st.sampled_from(candidates))), safe="")
        url = _VARIABLE.sub(lambda _m, v=value: v, url, count=1)
    return url


def field_names(html: str) -> list[str]:
    """The distinct form field names on a page, without the CSRF token."""
    return sorted({name for name in _NAME.findall(html) if name != "csrf_token"})


def _rows(session: Session, model: Any, *where: Any) -> list[tuple[Any, ...]]:
    columns = [column for column in model.__table__.columns if column.name != "updated_at"]
    query = select(*columns).where(*where).order_by(model.__table__.c.id)
    return [tuple(row) for row in session.execute(query)]


def fingerprint(session: Session, org_name: str = ORG_B) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to ``org_name``: the organization, its members and their users,
    invitations, assessments, answers, notes, snapshots, shares (both ways) and actions.

    Saved drafts are left out on purpose: a form posted after the session ended is kept for
    whoever signs in next, before anyone can be checked, and only applied after an access
    check, so a stranger's draft row changes nothing of the organization's.
    """
    org = _org(session, org_name)
    assessments = _assessments(session, org)
    in_org = Assessment.id.in_(assessments)
    user_ids = select(Membership.user_id).where(Membership.org_id == org.id)
    return {
        "organization": _rows(session, Organization, Organization.id == org.id),
        "memberships": _rows(session, Membership, Membership.org_id == org.id),
        "users": _rows(session, User, User.id.in_(user_ids)),
        "sessions": _rows(session, UserSession, UserSession.user_id.in_(user_ids)),
        "invitations": _rows(session, Invitation, Invitation.org_id == org.id),
        "assessments": _rows(session, Assessment, in_org),
        "answers": _rows(session, Answer, Answer.assessment_id.in_(assessments)),
        "notes": _rows(session, ItemNote, ItemNote.assessment_id.in_(assessments)),
        "snapshots": _rows(session, Snapshot, Snapshot.assessment_id.in_(assessments)),
        "shares": _rows(
            session,
            Share,
            or_(Share.assessment_id.in_(assessments), Share.to_org_id == org.id),
        ),
        "actions": _rows(session, Action, Action.assessment_id.in_(assessments)),
        "documents": _rows(
            session, AgreementDocument, AgreementDocument.assessment_id.in_(assessments)
        ),
        "evidence": _rows(session, EvidenceAnchor, EvidenceAnchor.assessment_id.in_(assessments)),
    }


# --- The seeded site --------------------------------------------------------------------------


@dataclass
class FuzzSite:
    """A seeded app, signed-in session cookies by user, org A's CSRF token, and what its pages
    ask (field names and option values)."""

    app: Flask
    names: list[str]
    values: list[str]
    url_values: dict[str, list[Any]]
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    @property
    def cookie(self) -> str:
        return self.cookies.get(USER_A, "")

    def client(self, user: str = USER_A) -> FlaskClient:
        """A client carrying ``user``'s signed-in session."""
        client = self.app.test_client()
        client.set_cookie("session", self.cookies[user])
        return client

    def ensure_signed_in(self, user: str = USER_A) -> None:
        """Sign ``user`` in again if a fuzzed request ended the session (sign out everywhere)."""
        if user in self.cookies and self.client(user).get("/account").status_code == 200:
            return
        client = self.app.test_client()
        signin(client, user, PASSWORD)
        cookie = client.get_cookie("session")
        assert cookie is not None
        self.cookies[user] = cookie.value
        if user == USER_A:
            self.token = csrf_from(client.get("/account").data)


def _postgres_url(base: str) -> str:
    # A schema of our own: the shared fixtures empty the worker's schema before each test.
    schema = f"fuzz_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    engine = make_engine(base)
    with engine.begin() as connection:
        connection.execute(DropSchema(schema, cascade=True, if_exists=True))
        connection.execute(CreateSchema(schema))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


_OPTION_VALUE = re.compile(r'<(?:input|option)[^>]*\svalue="([^"]*)"')


def build_fuzz_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzSite]:
    """A seeded demo site on ``request.param`` ("sqlite" or "postgres"), org A signed in; the
    body of the fuzz modules' module-scoped fixtures."""
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = folder / "fuzz.sqlite3"
        shutil.copyfile(template, path)
        app = make_quality_app(f"sqlite:///{path}", folder)
    else:
        app = make_quality_app(_postgres_url(TEST_DATABASE_URL), folder)
        upgrade(app)
        with app.app_context():
            record_catalog(db.session, current_catalog())
            db.session.commit()
    with app.app_context():
        seed_demo(db.session, PASSWORD)
        db.session.commit()
    # Org B's owner is signed in somewhere: the fuzz must not be able to end that session.
    signin(app.test_client(), USER_B, PASSWORD)
    with app.app_context():
        candidates = url_values(db.session)
    site = FuzzSite(app=app, names=[], values=[], url_values=candidates)
    site.ensure_signed_in()
    client = site.client()
    names: set[str] = set()
    values: set[str] = set()
    for page in PAGE_TYPES:
        if page.user != USER_A:
            continue
        with app.app_context():
            url = page.url(db.session)
        html = client.get(url).get_data(as_text=True)
        names.update(field_names(html))
        values.update(_OPTION_VALUE.findall(html))
    site.names = sorted(names) or ["value"]
    site.values = sorted(values) or ["yes"]
    yield site
    with app.app_context():
        db.session.close()
        db.engine.dispose()


# --- Hostile values ---------------------------------------------------------------------------


def hostile_text() -> st.SearchStrategy[str]:
    """The classes of issue 12: control characters, lone surrogates, non-ASCII digits, huge
    numbers (alone and inside ordinary text)."""
    control = st.characters(categories=["Cc"])  # C0, DEL and C1: exactly Unicode's "Cc"
    return st.one_of(
        st.text(alphabet=control, min_size=1, max_size=10),
        st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), control, st.text(max_size=8)),
        st.sampled_from(LONE_SURROGATES),
        st.sampled_from(NOT_ASCII_DIGITS),
        st.sampled_from(HUGE_NUMBERS),
        st.lists(st.sampled_from(["1", "²", "٣", "9" * 20, "-1"]), min_size=1, max_size=4).map(
            ",".join
        ),
    )


@st.composite
def scalar_text(draw: st.DrawFn, known: list[str]) -> str:
    """A form value: plausible, empty, numeric, date-like, huge, unicode or hostile."""
    return draw(
        st.one_of(
            st.sampled_from(known or [""]),
            st.just(""),
            st.text(max_size=40),
            st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
            st.integers(-(2**70), 2**70).map(str),
            st.sampled_from(["nan", "inf", "-1", "0", "1e309", "2026-02-30", "0000-00-00"]),
            st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd"]),
            st.sampled_from(["\x00", "a\x00b", "\u202e\u200b", "\U0001f600" * 3]),
            st.builds(lambda c, n: c * n, st.characters(), st.integers(1_000, 100_000)),
            hostile_text(),
        )
    )


@st.composite
def deep_json(draw: st.DrawFn) -> bytes:
    """A JSON body nested from just past the limit to tens of thousands of levels."""
    depth = draw(st.integers(MAX_JSON_DEPTH + 1, 40_000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"email":[', b"]}")]))
    leaf = draw(st.sampled_from([b"1", b'"x"', b"[]", b""]))
    closed = draw(st.booleans())
    return opener * depth + leaf + (closer * depth if closed else b"")


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    """A query string or form body of ``pairs``, lone surrogates kept as their (invalid) UTF-8
    bytes, as a hostile client would send them."""
    return "&".join(
        quote(key, safe="", errors="surrogatepass")
        + "="
        + quote(value, safe="", errors="surrogatepass")
        for key, value in pairs
    )
