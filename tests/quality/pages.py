"""Every page type of the app and how to reach it as a demo user.

The accessibility check, the HTML checker and the coverage test read ``PAGE_TYPES``. Each
entry names the endpoint it exercises, who looks at it and a URL builder that finds the ids it
needs in the seeded demo database. ``NOT_PAGES`` lists the GET endpoints that return no HTML
page (files, JSON, redirects), each with the reason; ``test_every_get_endpoint_is_a_listed_page``
fails when a new GET endpoint is in neither, so new pages cannot escape the checks.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyotp
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts import two_step
from rubric_app.accounts.invitations import invitation_token, invite
from rubric_app.accounts.operations import create_user, find_user
from rubric_app.accounts.signin_links import signin_link_token
from rubric_app.accounts.tokens import make_token, password_fingerprint
from rubric_app.accounts.verification import verification_token
from rubric_app.agreements import evidence
from rubric_app.agreements.operations import (
    record_extraction_failure,
    store_upload,
    upload_document,
)
from rubric_app.assessments import load_states
from rubric_app.catalog_state import current_catalog
from rubric_app.db import db
from rubric_app.jobs import operations
from rubric_app.jobs.models import Job
from rubric_app.models import (
    Action,
    AgreementClause,
    AgreementDocument,
    Assessment,
    Organization,
)
from rubric_app.questionnaire.fields import BASE_SUFFIX, field_name, form_data_from_state
from rubric_app.questionnaire.restore import keep_draft
from rubric_app.render_limits import acquire_slot
from rubric_app.reports.actions import create_action
from rubric_app.reports.pdf_documents import ASSESSMENT_PDFS
from rubric_app.reports.pdf_jobs import job_key
from rubric_app.reports.view_data import build_report
from rubric_app.rubric_versions import rubric_of

ADMIN = "admin@riverton.example.org"
EDITOR = "editor@riverton.example.org"
VIEWER = "viewer@riverton.example.org"
LEAD = "lead@rys.example.org"
ADVOCATE = "advocate@buckeye.example.org"
CHIEF = "chief@college.example.org"
#: The demo site administrator, and the owner of the demo's state advocate awaiting approval.
SITE_ADMIN = "siteadmin@rubric.example.org"
PENDING_ADVOCATE = "organizer@lakeerie-advocates.example.org"

RIVERTON = "Riverton City School District"
CEDAR = "Cedar Hollow Local Schools"
RYS = "Riverton Youth Sports & Learning"
ADVOCATE_ORG = "Buckeye Youth Justice Coalition"
COLLEGE = "Lake Erie State University"
#: A newcomer who signed up but has not opened the verification link yet (made on demand).
NEWCOMER = "newcomer@riverton.example.org"
#: A user with two-step sign-in on (made by ``seed_two_step_user``): signing in with the
#: password stops at the code page.
TWO_STEP_USER = "two.step@riverton.example.org"


@dataclass(frozen=True)
class PageType:
    """One kind of page: the endpoint, who looks at it and how to build its URL."""

    name: str
    endpoint: str
    user: str | None
    url: Callable[[Session], str]
    status: int = 200


def fixed(path: str) -> Callable[[Session], str]:
    """A URL builder for a page whose URL needs no lookup."""
    return lambda _session: path


def org_id(session: Session, name: str) -> int:
    """The id of the demo organization called ``name``."""
    found = session.scalar(select(Organization.id).where(Organization.name == name))
    assert found is not None, f"demo organization {name!r} is missing"
    return found


def assessment_of(session: Session, org_name: str, status: str) -> Assessment:
    """The first demo assessment of ``org_name`` in ``status`` ("draft" or "submitted")."""
    found = session.scalar(
        select(Assessment)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Organization.name == org_name, Assessment.status == status)
        .order_by(Assessment.id)
    )
    assert found is not None, f"no {status} demo assessment for {org_name!r}"
    return found


def for_assessment(org_name: str, status: str, path: str = "") -> Callable[[Session], str]:
    """A URL builder for ``/assessments/<id><path>`` of the org's first draft or submitted one."""
    return lambda session: f"/assessments/{assessment_of(session, org_name, status).id}{path}"


def carried_actions(session: Session) -> str:
    """The action plan of Riverton's 2026-27 review, listing 2025-26's open actions to carry."""
    found = session.scalar(
        select(Assessment)
        .join(Organization, Organization.id == Assessment.org_id)
        .where(Organization.name == RIVERTON, Assessment.previous_id.is_not(None))
        .order_by(Assessment.id)
    )
    assert found is not None, "no demo assessment started from a previous one"
    return f"/assessments/{found.id}/actions"


def first_section(session: Session) -> str:
    """The first section page of Riverton's draft."""
    assessment = assessment_of(session, RIVERTON, "draft")
    section = rubric_of(assessment.rubric_version).sections[0]
    return f"/assessments/{assessment.id}/sections/{section.id}"


def comparison(session: Session) -> str:
    """The program's own assessment beside the one Riverton shared with it."""
    own = assessment_of(session, RYS, "submitted")
    shared = assessment_of(session, RIVERTON, "submitted")
    return f"/compare?ids={own.id},{shared.id}"


def invitation_link(session: Session) -> str:
    """A fresh invitation to Riverton for someone without an account."""
    org = session.get(Organization, org_id(session, RIVERTON))
    assert org is not None
    invitation = invite(
        session, org, email="new.person@riverton.example.org", role="editor", by=None
    )
    session.commit()
    return f"/invitations/{invitation_token(invitation)}"


def reset_link(session: Session) -> str:
    """A password reset link for the Riverton owner."""
    user = find_user(session, ADMIN)
    assert user is not None
    payload = {"user": user.id, "fp": password_fingerprint(user.password_hash)}
    return f"/reset/{make_token('password-reset', payload)}"


def seed_two_step_user(session: Session, password: str) -> None:
    """Add TWO_STEP_USER, with two-step sign-in set up through the real operations."""
    user = create_user(session, email=TWO_STEP_USER, name="Taylor Twostep", password=password)
    secret = two_step.begin_enrolment(session, user)
    two_step.confirm_enrolment(session, user, pyotp.TOTP(secret).now())
    session.commit()


def signin_link(session: Session) -> str:
    """A one-time sign-in link for the Riverton owner (opening it does not use it up)."""
    user = find_user(session, ADMIN)
    assert user is not None
    return f"/signin/link/{signin_link_token(user)}"


def verify_link(session: Session) -> str:
    """A fresh verification link for a newcomer whose address is not confirmed yet."""
    user = find_user(session, NEWCOMER) or create_user(
        session, email=NEWCOMER, name="Casey Newcomer", password=secrets.token_urlsafe(16)
    )
    # Each check opens the link once, which verifies: start unverified every time.
    user.email_verified_at = None
    session.commit()
    return f"/verify/{verification_token(user)}"


def as_unverified(path: Callable[[Session], str]) -> Callable[[Session], str]:
    """A URL builder that first marks the college chief (no other page type uses that user) as
    not having confirmed their address, so the page shows the banner and notices."""

    def build(session: Session) -> str:
        user = find_user(session, CHIEF)
        assert user is not None
        user.email_verified_at = None
        session.commit()
        return path(session)

    return build


def action_edit(session: Session) -> str:
    """The edit page of a planned action on Riverton's submitted assessment."""
    assessment = assessment_of(session, RIVERTON, "submitted")
    action = session.scalar(select(Action).where(Action.assessment_id == assessment.id))
    if action is None:
        item = rubric_of(assessment.rubric_version).items[0]
        action = create_action(
            session,
            assessment,
            item_id=item.id,
            description="Ask the police department to sign the revised agreement.",
            owner="Dana Whitfield",
            user=None,
        )
        session.commit()
    return f"/assessments/{assessment.id}/actions/{action.id}/edit"


#: A short agreement with two pages, numbered clauses, a sub-clause and a preamble.
AGREEMENT_TEXT = (
    "Memorandum of Understanding between Riverton City Schools and the Riverton Police\n"
    "1. Purpose\nThis agreement sets out the role of school resource officers.\n"
    "1.1 Discipline. School discipline stays with school administrators.\n\f"
    "2. Information sharing\nOfficers receive directory information only.\n"
    "(a) Emergencies. Other records only in a health or safety emergency.\n"
)


def agreement_document(session: Session) -> str:
    """The clause page of an agreement uploaded to Riverton's submitted assessment."""
    assessment = assessment_of(session, RIVERTON, "submitted")
    document = session.scalar(
        select(AgreementDocument).where(
            AgreementDocument.assessment_id == assessment.id,
            AgreementDocument.file_name == "riverton-mou.txt",
        )
    )
    if document is None:
        user = find_user(session, ADMIN)
        assert user is not None
        document = upload_document(
            session,
            assessment,
            data=AGREEMENT_TEXT.encode(),
            file_name="riverton-mou.txt",
            user=user,
        )
        # One clause accepted as evidence, so the clause page shows coverage marks and the
        # report shows a citation.
        clause = next(clause for clause in document.clauses if clause.number == "1.1")
        item = rubric_of(assessment.rubric_version).items[0]
        evidence.decide(
            session, assessment, item_id=item.id, clause=clause, decision="accepted", user=user
        )
        session.commit()
    return f"/assessments/{assessment.id}/documents/{document.id}"


def _unread_agreement(session: Session, file_name: str) -> AgreementDocument:
    """An agreement of Riverton's submitted assessment stored by the upload, not yet read."""
    assessment = assessment_of(session, RIVERTON, "submitted")
    document = session.scalar(
        select(AgreementDocument).where(
            AgreementDocument.assessment_id == assessment.id,
            AgreementDocument.file_name == file_name,
        )
    )
    if document is None:
        user = find_user(session, ADMIN)
        assert user is not None
        document = store_upload(
            session, assessment, data=AGREEMENT_TEXT.encode(), file_name=file_name, user=user
        )
    return document


def agreement_being_read(session: Session) -> str:
    """The page of an agreement whose extraction job has not run yet (it refreshes itself)."""
    document = _unread_agreement(session, "riverton-sop.txt")
    session.commit()
    return f"/assessments/{document.assessment_id}/documents/{document.id}"


def agreement_not_read(session: Session) -> str:
    """The page of an agreement that could not be read, with the reason and the delete offer."""
    document = _unread_agreement(session, "riverton-scan.pdf")
    record_extraction_failure(
        session,
        document,
        "This PDF has no text layer: it is a scan, its pages are pictures of text.",
    )
    session.commit()
    return f"/assessments/{document.assessment_id}/documents/{document.id}"


def agreement_list(session: Session) -> str:
    """Riverton's documents page, with one document listed."""
    return agreement_document(session).rsplit("/", 1)[0]


def evidence_submitted(session: Session) -> str:
    """The evidence page of Riverton's submitted assessment: read-only, one accepted clause."""
    assessment_url = agreement_document(session).split("/documents/", 1)[0]
    assessment = assessment_of(session, RIVERTON, "submitted")
    if not evidence.accepted(session, assessment.id):
        user = find_user(session, ADMIN)
        assert user is not None
        clause = session.scalar(
            select(AgreementClause)
            .join(AgreementDocument)
            .where(
                AgreementDocument.assessment_id == assessment.id, AgreementClause.number == "1.1"
            )
        )
        assert clause is not None
        evidence.decide(
            session,
            assessment,
            item_id="mou-no-discipline-role",
            clause=clause,
            decision="accepted",
            user=user,
        )
        session.commit()
    return f"{assessment_url}/evidence/civil-rights"


def evidence_suggestions(session: Session) -> str:
    """The evidence page of the advocate's draft, with an agreement: suggestions and buttons."""
    assessment = assessment_of(session, ADVOCATE_ORG, "draft")
    if (
        session.scalar(
            select(AgreementDocument.id).where(AgreementDocument.assessment_id == assessment.id)
        )
        is None
    ):
        user = find_user(session, ADVOCATE)
        assert user is not None
        upload_document(
            session,
            assessment,
            data=AGREEMENT_TEXT.encode(),
            file_name="model-mou.txt",
            user=user,
        )
        session.commit()
    return f"/assessments/{assessment.id}/evidence/civil-rights"


def conflict_page(session: Session) -> str:
    """A conflict to resolve: a saved page whose answer someone else changed meanwhile."""
    assessment = assessment_of(session, RIVERTON, "draft")
    rubric = rubric_of(assessment.rubric_version)
    states = load_states(session, assessment)
    section = next(s for s in rubric.sections if any(i.id in states for i in s.items))
    item = next(i for i in section.items if i.id in states)
    data = form_data_from_state(item, rubric, states[item.id])
    data[field_name(item.id, "comment")] = "Our copy of the agreement says otherwise."
    data[field_name(item.id, BASE_SUFFIX)] = "an-older-version"
    fields = {
        name: [value if isinstance(value, str) else "y"]
        for name, value in data.items()
        if value not in (None, False, "")
    }
    key = keep_draft(
        session,
        assessment_id=assessment.id,
        section_id=section.id,
        fields=fields,
        purpose="conflict",
    )
    session.commit()
    return f"/assessments/{assessment.id}/conflicts/{key}"


def renders_held(session: Session) -> str:
    """Hold every render slot of the college chief briefly, so their next render gets 429."""
    user = find_user(session, CHIEF)
    assert user is not None
    # Held for 30 s only: long enough for the check that follows, and nothing else of the
    # chief's is a render.
    limit = int(current_app.config["RENDER_LIMIT"])
    for _ in range(limit):
        acquire_slot(db.engine, user.id, limit=limit, seconds=30)
    return "/compare"


def _job_for(session: Session, email: str, key: str) -> Job:
    """A job row of ``email``'s (made once, kept as it is), for the job pages."""
    user = find_user(session, email)
    assert user is not None
    job = operations.request_job(
        session, key=key, kind="assessment_pdf", params={}, user_id=user.id
    ).job
    session.commit()
    return job


def job_running(session: Session) -> str:
    """A job of the Riverton admin's, under way (the page refreshes itself)."""
    job = _job_for(session, ADMIN, "quality:running")
    operations.start_job(session, job)
    operations.set_progress(session, job.id, 40)
    session.commit()
    return f"/jobs/{job.id}"


def job_failed(session: Session) -> str:
    """A job of the Riverton admin's that failed, with its reason."""
    job = _job_for(session, ADMIN, "quality:failed")
    operations.fail_job(session, job, "The assessment no longer exists.")
    session.commit()
    return f"/jobs/{job.id}"


def _report_pdf_job(session: Session, state: str) -> str:
    """The report PDF's download while its job is ``state`` (queued, never run; or failed)."""
    assessment = assessment_of(session, RIVERTON, "submitted")
    report = build_report(session, assessment, current_catalog())
    document = ASSESSMENT_PDFS["report"]
    job = _job_for(session, ADMIN, job_key(document, report))
    job.params = {"assessment_id": assessment.id, "document": document.name}
    if state == "failed":
        operations.fail_job(session, job, "It stopped with an unexpected error (OSError).")
    session.commit()
    # Nothing cached, so the download shows the page instead of a PDF.
    for cached in Path(current_app.config["PDF_CACHE_DIR"]).glob(document.prefix(report) + "*"):
        cached.unlink()
    return f"/assessments/{assessment.id}/report.pdf"


PAGE_TYPES: tuple[PageType, ...] = (
    PageType("home, anonymous", "main.home", None, fixed("/")),
    PageType("home, signed in", "main.home", ADMIN, fixed("/")),
    PageType("sign in", "accounts.signin", None, fixed("/signin")),
    PageType(
        "rubric method", "rubric_pages.rubric", None, fixed("/rubrics/secure-local-implementation")
    ),
    PageType("guidance library", "resources.index", None, fixed("/resources")),
    PageType("state laws", "framework_pages.index", None, fixed("/frameworks")),
    PageType(
        "state law method",
        "framework_pages.framework",
        None,
        fixed("/frameworks/ut-code-53g-8-703"),
    ),
    PageType("sign up", "accounts.signup", None, fixed("/signup")),
    PageType("password reset request", "accounts.reset_request", None, fixed("/reset")),
    PageType("password reset", "accounts.reset_password", None, reset_link),
    PageType("sign-in link request", "accounts.signin_link_request", None, fixed("/signin/link")),
    PageType("sign-in link", "accounts.signin_link", None, signin_link),
    PageType(
        "sign-in link not valid", "accounts.signin_link", None, fixed("/signin/link/garbled"), 400
    ),
    PageType("invitation", "accounts.invitation", None, invitation_link),
    PageType("email address confirmed", "accounts.verify_email", None, verify_link),
    PageType("email link not valid", "accounts.verify_email", None, fixed("/verify/garbled"), 400),
    PageType(
        "email link not valid, address not confirmed",
        "accounts.verify_email",
        CHIEF,
        as_unverified(fixed("/verify/garbled")),
        400,
    ),
    PageType(
        "organization, address not confirmed",
        "accounts.organization",
        CHIEF,
        as_unverified(fixed("/organization")),
    ),
    PageType(
        "sharing, address not confirmed",
        "accounts.sharing",
        CHIEF,
        as_unverified(for_assessment(COLLEGE, "submitted", "/sharing")),
    ),
    PageType("account", "accounts.account", ADMIN, fixed("/account")),
    PageType("two-step sign-in code", "accounts.two_step_code", TWO_STEP_USER, fixed("/two-step")),
    PageType(
        "two-step sign-in, off", "accounts.two_step_settings", ADMIN, fixed("/account/two-step")
    ),
    PageType(
        "two-step sign-in set-up",
        "accounts.two_step_setup",
        ADMIN,
        fixed("/account/two-step/setup"),
    ),
    PageType("change password", "accounts.change_password", ADMIN, fixed("/account/password")),
    PageType("organization", "accounts.organization", ADMIN, fixed("/organization")),
    PageType("edit organization", "accounts.edit_organization", ADMIN, fixed("/organization/edit")),
    PageType("new organization", "accounts.new_organization", ADMIN, fixed("/organizations/new")),
    PageType("audit log", "accounts.audit_log", ADMIN, fixed("/organization/audit")),
    PageType(
        "leave organization",
        "accounts.leave_organization_view",
        VIEWER,
        fixed("/organization/leave"),
    ),
    PageType(
        "leave organization, last owner",
        "accounts.leave_organization_view",
        ADMIN,
        fixed("/organization/leave"),
    ),
    PageType(
        "sharing", "accounts.sharing", ADMIN, for_assessment(RIVERTON, "submitted", "/sharing")
    ),
    PageType("assessments", "questionnaire.index", ADMIN, fixed("/assessments")),
    PageType("start an assessment", "questionnaire.new", ADMIN, fixed("/assessments/new")),
    PageType("task list", "questionnaire.overview", ADMIN, for_assessment(RIVERTON, "draft")),
    PageType(
        "task list, submitted",
        "questionnaire.overview",
        ADMIN,
        for_assessment(RIVERTON, "submitted"),
    ),
    PageType("section", "questionnaire.section", ADMIN, first_section),
    PageType("review", "questionnaire.review", ADMIN, for_assessment(RIVERTON, "draft", "/review")),
    PageType("conflicts", "questionnaire.conflicts", ADMIN, conflict_page),
    PageType(
        "snapshot",
        "questionnaire.snapshot",
        ADMIN,
        for_assessment(RIVERTON, "submitted", "/snapshots/1"),
    ),
    PageType("report", "reports.report", ADMIN, for_assessment(RIVERTON, "submitted", "/report")),
    PageType(
        "report shared with a partner",
        "reports.report",
        LEAD,
        for_assessment(RIVERTON, "submitted", "/report"),
    ),
    PageType(
        "board summary",
        "reports.board_summary",
        ADMIN,
        for_assessment(RIVERTON, "submitted", "/board"),
    ),
    PageType(
        "board summary of a draft",
        "reports.board_summary",
        ADMIN,
        for_assessment(RIVERTON, "draft", "/board"),
    ),
    PageType(
        "actions", "reports.actions", ADMIN, for_assessment(RIVERTON, "submitted", "/actions")
    ),
    PageType("actions, carried over", "reports.actions", ADMIN, carried_actions),
    PageType(
        "new action",
        "reports.new_action",
        ADMIN,
        for_assessment(RIVERTON, "submitted", "/actions/new"),
    ),
    PageType("edit action", "reports.edit_action", ADMIN, action_edit),
    PageType("import", "reports.import_file", ADMIN, fixed("/assessments/import")),
    PageType(
        "agreement documents, empty",
        "agreements.documents_page",
        EDITOR,
        for_assessment(RIVERTON, "draft", "/documents"),
    ),
    PageType("agreement documents", "agreements.documents_page", ADMIN, agreement_list),
    PageType("agreement documents, viewer", "agreements.documents_page", VIEWER, agreement_list),
    PageType("agreement clauses", "agreements.document", ADMIN, agreement_document),
    PageType(
        "evidence, no documents",
        "agreements.evidence_page",
        EDITOR,
        for_assessment(RIVERTON, "draft", "/evidence/partnerships-and-mous"),
    ),
    PageType("evidence, suggestions", "agreements.evidence_page", ADVOCATE, evidence_suggestions),
    PageType("evidence, submitted", "agreements.evidence_page", ADMIN, evidence_submitted),
    PageType("agreement being read", "agreements.document", ADMIN, agreement_being_read),
    PageType("agreement not read", "agreements.document", ADMIN, agreement_not_read),
    PageType("compare, chooser", "compare.index", LEAD, fixed("/compare")),
    PageType("compare, chooser with an error", "compare.index", LEAD, fixed("/compare?ids=x"), 400),
    PageType("compare, side by side", "compare.index", LEAD, comparison),
    PageType("state dashboards", "states.index", ADVOCATE, fixed("/states")),
    PageType("state dashboards, not an advocate", "states.index", ADMIN, fixed("/states")),
    PageType(
        "state dashboard",
        "states.dashboard",
        ADVOCATE,
        fixed("/states/OH/dashboard?rubric=secure-local-implementation&period="),
    ),
    PageType(
        "state dashboards, awaiting approval",
        "states.index",
        PENDING_ADVOCATE,
        fixed("/states"),
        403,
    ),
    PageType(
        "state dashboard, awaiting approval",
        "states.dashboard",
        PENDING_ADVOCATE,
        fixed("/states/OH/dashboard"),
        403,
    ),
    PageType(
        "organization, awaiting approval",
        "accounts.organization",
        PENDING_ADVOCATE,
        fixed("/organization"),
    ),
    PageType(
        "site administration: organizations awaiting approval",
        "admin.organizations",
        SITE_ADMIN,
        fixed("/admin/organizations"),
    ),
    PageType(
        "site administration: districts and programs to verify",
        "admin.unverified",
        SITE_ADMIN,
        fixed("/admin/organizations/unverified?state=OH"),
    ),
    PageType("too many renders at once", "compare.index", CHIEF, renders_held, status=429),
    PageType("job status, running", "jobs.status", ADMIN, job_running),
    PageType("job status, failed", "jobs.status", ADMIN, job_failed),
    PageType(
        "report PDF being prepared",
        "reports.report_pdf",
        ADMIN,
        lambda session: _report_pdf_job(session, "queued"),
        status=202,
    ),
    PageType(
        "report PDF could not be prepared",
        "reports.report_pdf",
        ADMIN,
        lambda session: _report_pdf_job(session, "failed"),
        status=202,
    ),
    # The default view (latest period with enough organizations): findings, heatmap, trend.
    PageType(
        "state dashboard, one period", "states.dashboard", ADVOCATE, fixed("/states/OH/dashboard")
    ),
    PageType(
        "state dashboard, withheld view",
        "states.dashboard",
        ADVOCATE,
        fixed("/states/OH/dashboard?locale=city"),
    ),
    PageType("not found", "", ADMIN, fixed("/no-such-page"), status=404),
    PageType("bad request", "", ADMIN, fixed("/organization/audit?page=%C2%B2"), status=400),
    PageType(
        "forbidden",
        "",
        VIEWER,
        for_assessment(RIVERTON, "draft", "/actions/new"),
        status=403,
    ),
)

#: GET endpoints that answer with something other than an HTML page, and why they are exempt.
NOT_PAGES: dict[str, str] = {
    "static": "CSS, JavaScript, fonts and images",
    "main.healthz": "JSON health check",
    "main.favicon": "the site's icon (image/vnd.microsoft.icon)",
    "observability.metrics": "Prometheus metrics (plain text, loopback or bearer token only)",
    "reports.export_json": "JSON export of an assessment",
    "reports.amendments_docx": "Word document of proposed MOU amendments (read back by its tests)",
    "questionnaire.kept_draft": "redirect to the section kept from a signed-out post",
    "accounts.two_step_move": (
        "redirect to the two-step settings until a move is started with the password (a POST); "
        "the page itself is checked by test_quality_two_step.py"
    ),
    "reports.report_pdf": "PDF of the report (checked by the report tests)",
    "reports.board_summary_pdf": "PDF of the board summary (checked by the board summary tests)",
    "reports.assessment_pdf": "another PDF of an assessment (none but the report so far)",
    "jobs.download": "the file a job made (a ZIP of reports)",
    "compare.export_csv": "CSV download",
    "compare.export_pdf": "PDF of the comparison",
    "states.export_csv": "CSV download",
    "states.export_xlsx": "XLSX download",
    "states.summary_pdf": "PDF of the state summary",
    "states.summary_one_page": "one-page PDF of the state summary",
}
