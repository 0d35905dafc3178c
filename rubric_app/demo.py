"""Demo data: a small, believable state of districts, afterschool programs, a college and an
advocate, created through the same operations the web pages use.

``generate_states`` also serves the large synthetic states used by roll-up benchmarks: each
organization gets a "maturity" and answers drawn around it, with practice usually lagging
behind paper, the way policy reviews tend to come out.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.accounts.operations import (
    add_member,
    create_organization,
    create_user,
    find_user,
    set_password,
)
from rubric_app.accounts.passwords import verify_password
from rubric_app.accounts.sharing import share_assessment
from rubric_app.accounts.verification import mark_verified
from rubric_app.accounts.vetting import verify_organization
from rubric_app.assessments import (
    ItemChange,
    ItemState,
    find_existing,
    save_items,
    start_assessment,
    submit,
)
from rubric_app.models import Organization, User
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.answer_types import answer_type
from rubric_app.rubrics.model import VALUE_DIMENSION, Rubric


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organization: str
    role: str


DEMO_STATE = "OH"

#: (key, name, kind, enrollment band, locale, SRO model)
DEMO_ORGS = (
    ("advocate", "Buckeye Youth Justice Coalition", "state_advocate", None, None, None),
    ("riverton", "Riverton City School District", "district", "5k_25k", "suburb", "local_police"),
    ("cedar", "Cedar Hollow Local Schools", "district", "1k_5k", "rural", "sheriff"),
    ("rys", "Riverton Youth Sports & Learning", "afterschool_program", None, "suburb", None),
    ("cedar_club", "Cedar Hollow Afterschool Club", "afterschool_program", None, "rural", None),
    ("college", "Lake Erie State University", "college", None, "city", "district_police"),
)

#: (email, name, org key, role)
DEMO_USERS = (
    ("advocate@buckeye.example.org", "Alex Rivera", "advocate", "owner"),
    ("admin@riverton.example.org", "Dana Whitfield", "riverton", "owner"),
    ("editor@riverton.example.org", "Sam Okafor", "riverton", "editor"),
    ("viewer@riverton.example.org", "Priya Natarajan", "riverton", "viewer"),
    ("admin@cedar.example.org", "Jordan Miller", "cedar", "owner"),
    ("lead@rys.example.org", "Maria Gonzales", "rys", "owner"),
    ("lead@cedarclub.example.org", "Chris Baker", "cedar_club", "owner"),
    ("chief@college.example.org", "Taylor Brooks", "college", "owner"),
)


def generate_states(
    rubric: Rubric, rng: random.Random, maturity: float, *, completion: float = 1.0
) -> dict[str, ItemState]:
    """Plausible answers for ``rubric``: ``maturity`` 0..1 sets how much is in place.

    Unscored gate questions answer "yes" (a partnership exists) so both stages apply.
    ``completion`` < 1 leaves a share of items unanswered, as in a half-finished review.
    """
    states: dict[str, ItemState] = {}
    for item in rubric.items:
        if rng.random() > completion:
            continue
        kind = answer_type(item)
        if not item.dimensions:
            # An unrated item gets its type's typical answer (a gate's "yes"), if it has one.
            value = kind.sample(item, rubric, maturity)
            if value is not None:
                states[item.id] = ItemState(values={VALUE_DIMENSION: value})
            continue
        scale = rubric.scale_of(item)
        if scale is None:
            continue
        if scale.allow_na and rng.random() < 0.03:
            states[item.id] = ItemState(
                not_applicable=True, na_reason="Our schools have no officers on site at night."
            )
            continue
        values: dict[str, str | tuple[str, ...]] = {}
        for index, dimension in enumerate(item.dimensions):
            # Practice (the second dimension) tends to lag behind what the paper says.
            sampled = kind.sample(item, rubric, maturity - 0.15 * index + rng.gauss(0, 0.25))
            if sampled is not None:
                values[dimension] = sampled
        flagged = rng.random() < 0.04
        comment = "Check the wording with the police department." if flagged else ""
        states[item.id] = ItemState(values=values, flagged=flagged, comment=comment)
    return states


def _user(session: Session, email: str, name: str, password: str) -> User:
    user = find_user(session, email)
    if user is None:
        user = create_user(session, email=email, name=name, password=password)
    elif not verify_password(user.password_hash, password):
        # The logins printed must work: an earlier seed with another password, or a password
        # changed while trying the demo, is set back (and that account's sessions end).
        set_password(session, user, password, reason="password_reset")
    # Demo addresses are example.org: no mail could reach them, and the demo invites and shares.
    mark_verified(session, user, via="demo")
    return user


def demo_password(instance: Path) -> str:
    """Return the demo password kept in ``instance/demo_password``, made on first use.

    Kept so that every ``make run`` prints the same password and yesterday's still works; the
    file is readable by its owner only, like ``instance/secret_key``.
    """
    path = instance / "demo_password"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def seed_demo(session: Session, password: str | None = None) -> tuple[list[DemoLogin], str]:
    """Create (or complete) the demo organizations, users and assessments. Idempotent."""
    password = password or secrets.token_urlsafe(12)
    rng = random.Random(2016)  # noqa: S311 - demo data, not security
    orgs: dict[str, Organization] = {}
    for key, name, kind, band, locale, sro in DEMO_ORGS:
        existing = session.scalar(select(Organization).where(Organization.name == name))
        orgs[key] = existing or create_organization(
            session,
            name=name,
            kind=kind,
            state=DEMO_STATE,
            enrollment_band=band,
            locale=locale,
            sro_model=sro,
        )
        # Verified, as a site administrator would: the advocate to receive shares, the others
        # to count as one another's peers on the board summary (``reports.peers``).
        if orgs[key].verified_at is None:
            verify_organization(session, orgs[key], by=None, via="demo")
    logins: list[DemoLogin] = []
    users: dict[str, User] = {}
    for email, name, org_key, role in DEMO_USERS:
        user = _user(session, email, name, password)
        add_member(session, user=user, org=orgs[org_key], role=role)
        users.setdefault(org_key, user)
        logins.append(DemoLogin(email, name, orgs[org_key].name, role))

    def assessment(
        org_key: str,
        rubric_id: str,
        period: str,
        maturity: float,
        *,
        completion: float = 1.0,
        submit_it: bool = True,
        share_with: tuple[str, ...] = (),
    ) -> None:
        version = latest_version(session, rubric_id)
        if version is None:
            return
        org = orgs[org_key]
        if find_existing(session, org.id, rubric_id, period) is not None:
            return
        user = users[org_key]
        rubric = rubric_of(version)
        created = start_assessment(
            session,
            org=org,
            version=version,
            title=f"{rubric.title} {period}",
            period=period,
            user=user,
        )
        states = generate_states(rubric, rng, maturity, completion=completion)
        save_items(
            session,
            created,
            [ItemChange(item_id, state, None) for item_id, state in states.items()],
            user=user,
        )
        if submit_it:
            submit(session, created, user=user)
            for target in share_with:
                # Partners gave each other their codes; the advocate is found by its state.
                share_assessment(
                    session,
                    created,
                    orgs[target],
                    by=user,
                    partner=orgs[target].partner_code,
                    named=True,
                )

    # Riverton shares last year's review with the advocate and with its afterschool partner.
    assessment(
        "riverton", "secure-local-implementation", "2025-26", 0.45, share_with=("advocate", "rys")
    )
    assessment(
        "riverton",
        "secure-local-implementation",
        "2026-27",
        0.6,
        completion=0.5,
        submit_it=False,
    )
    assessment(
        "cedar",
        "secure-local-implementation",
        "2026-27",
        0.35,
        share_with=("advocate", "cedar_club"),
    )
    assessment(
        "rys",
        "afterschool-law-enforcement-partnership",
        "2026-27",
        0.55,
        share_with=("advocate", "riverton"),
    )
    assessment(
        "cedar_club",
        "afterschool-law-enforcement-partnership",
        "2026-27",
        0.4,
        completion=0.3,
        submit_it=False,
    )
    assessment("college", "campus-policing-21cp", "2026-27", 0.6)
    assessment(
        "advocate", "secure-state-local-policy", "2026", 0.3, completion=0.6, submit_it=False
    )
    _seed_demo_actions(session, orgs["riverton"], users["riverton"])
    logins.append(_pending_request(session, password))
    logins.append(_site_admin(session, password))
    return logins, password


#: A second state advocate for Ohio that asked to be verified: the site administrator's page
#: has a request to decide, and its owner sees what "awaiting approval" means. (email, name,
#: organization)
DEMO_PENDING = (
    "organizer@lakeerie-advocates.example.org",
    "Jamie Castillo",
    "Lake Erie Youth Advocacy Network",
)


def _pending_request(session: Session, password: str) -> DemoLogin:
    email, name, org_name = DEMO_PENDING
    user = _user(session, email, name, password)
    org = session.scalar(select(Organization).where(Organization.name == org_name))
    if org is None:
        org = create_organization(
            session, name=org_name, kind="state_advocate", state=DEMO_STATE, created_by=user
        )
        add_member(session, user=user, org=org, role="owner")
    return DemoLogin(email, name, f"{org_name} (awaiting approval)", "owner")


#: The demo site administrator, who approves state advocate organizations at /admin.
DEMO_SITE_ADMIN = ("siteadmin@rubric.example.org", "Robin Site-Admin")


def _site_admin(session: Session, password: str) -> DemoLogin:
    email, name = DEMO_SITE_ADMIN
    user = _user(session, email, name, password)
    user.is_site_admin = True
    session.flush()
    return DemoLogin(email, name, "site administration (no organization)", "admin")


#: Riverton's action plan for its 2025-26 gaps: (item id, description, owner, days from today
#: to the due date, status). Dates are relative so the demo never shows stale deadlines.
DEMO_ACTIONS = (
    (
        "mou-no-discipline-role",
        "Add a clause to the MOU that SROs take no part in school discipline, and brief every "
        "principal on it before the school year starts.",
        "Assistant superintendent",
        45,
        "in_progress",
    ),
    (
        "mou-civil-rights-compliance",
        "Ask district counsel to draft a civil rights compliance clause naming who checks it.",
        "District counsel",
        -30,
        "done",
    ),
    (
        "training-de-escalation",
        "Schedule a de-escalation course with school-based scenarios for all SROs.",
        "Police lieutenant (SRO unit)",
        120,
        "planned",
    ),
)


def _seed_demo_actions(session: Session, org: Organization, user: User) -> None:
    """Plan a few actions on Riverton's 2025-26 review and link 2026-27 to it. Idempotent."""
    import datetime as dt

    from rubric_app.reports.actions import actions_of, create_action

    previous = find_existing(session, org.id, "secure-local-implementation", "2025-26")
    current = find_existing(session, org.id, "secure-local-implementation", "2026-27")
    if previous is None or actions_of(session, previous):
        return
    rubric = rubric_of(previous.rubric_version)
    today = dt.date.today()
    for item_id, description, owner, days, status in DEMO_ACTIONS:
        if rubric.has_item(item_id):
            create_action(
                session,
                previous,
                item_id=item_id,
                description=description,
                owner=owner,
                due_date=today + dt.timedelta(days=days),
                status=status,
                user=user,
            )
    if current is not None and current.previous_id is None:
        # The demo's 2026-27 review is the next cycle of 2025-26, so its report shows planned
        # against achieved. (Real users get this link by starting from the previous review.)
        current.previous_id = previous.id
        session.flush()
