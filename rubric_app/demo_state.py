"""Bulk synthetic states: many organizations with submitted, shared assessments, fast.

``seed_state`` builds a believable state for the roll-up pages and the benchmark: mostly school
districts and some afterschool programs, with enrollment bands, locales and SRO staffing models
that hang together, answers drawn by ``rubric_app.demo.generate_states`` around a maturity that
depends on locale and SRO model (so filters show real differences), each assessment submitted
(snapshot, content hash, cached section scores and item results from the scoring core) and
shared with the state advocate. Organizations go in with one bulk ``insert()``, assessments
through ``bulk_import.submit_many`` (the operations' bulk path, held to the one-by-one path by
its tests); nothing here is for production data.

With an ``AnswerPool`` the answers are drawn from a bounded set of answer sets per rubric version
and maturity step instead of anew for each assessment: the bulk path then scores and renders
each set once (``bulk_import.Patterns``), which is what lets the national benchmark seed
69,000 assessments in minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rubric_app import audit
from rubric_app.accounts.operations import add_member, create_organization, create_user, find_user
from rubric_app.accounts.org_names import name_key
from rubric_app.accounts.verification import mark_verified
from rubric_app.accounts.vetting import verify_organization
from rubric_app.assessments import ItemState
from rubric_app.bulk_import import Method, Patterns, PlannedSubmission, ShareTo, submit_many
from rubric_app.demo import DEMO_ORGS, DEMO_STATE, generate_states
from rubric_app.models import Membership, Organization, RubricVersion, utcnow
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.us_states import STATES

LOCAL_RUBRIC = "secure-local-implementation"
AFTERSCHOOL_RUBRIC = "afterschool-law-enforcement-partnership"
CURRENT_PERIOD = "2025-26"
PREVIOUS_PERIOD = "2024-25"

#: Locale mix of districts, and the enrollment bands and SRO models likely in each.
LOCALE_WEIGHTS = {"rural": 0.42, "town": 0.2, "suburb": 0.24, "city": 0.14}
BANDS_BY_LOCALE = {
    "rural": {"under_1k": 0.55, "1k_5k": 0.4, "5k_25k": 0.05},
    "town": {"under_1k": 0.15, "1k_5k": 0.6, "5k_25k": 0.25},
    "suburb": {"1k_5k": 0.3, "5k_25k": 0.6, "over_25k": 0.1},
    "city": {"1k_5k": 0.1, "5k_25k": 0.45, "over_25k": 0.45},
}
SRO_BY_LOCALE = {
    "rural": {"sheriff": 0.55, "none": 0.3, "contracted": 0.1, "mixed": 0.05},
    "town": {"local_police": 0.5, "sheriff": 0.25, "none": 0.15, "mixed": 0.1},
    "suburb": {"local_police": 0.7, "contracted": 0.1, "mixed": 0.1, "none": 0.1},
    "city": {"district_police": 0.45, "local_police": 0.35, "mixed": 0.15, "none": 0.05},
}
#: Typical maturity by locale and the shift each SRO staffing model brings.
MATURITY_BY_LOCALE = {"rural": 0.42, "town": 0.5, "suburb": 0.6, "city": 0.57}
MATURITY_BY_SRO = {
    "none": -0.08,
    "district_police": 0.1,
    "local_police": 0.04,
    "sheriff": -0.04,
    "contracted": -0.06,
    "mixed": 0.0,
    None: 0.0,
}

PLACES = (
    "Ashford", "Bellmont", "Briar Creek", "Canton Ridge", "Clearwater", "Dover Falls", "Eastlake",
    "Elm Grove", "Fairview", "Fox Run", "Glendale", "Granite Hill", "Harbor", "Hawthorne",
    "Hidden Valley", "Indian Lake", "Juniper", "Kingsley", "Lakeview", "Laurel", "Maple Heights",
    "Marion Falls", "Meadowbrook", "Millbrook", "North Fork", "Oak Park", "Old Mill", "Pine Bluff",
    "Pleasant Valley", "Quarry", "Red Oak", "Ridgeway", "River Bend", "Rolling Hills", "Salem",
    "Shady Grove", "Silver Lake", "Spring Valley", "Stonebridge", "Sugar Creek", "Summit",
    "Sycamore", "Twin Oaks", "Union", "Valley Forge", "Walnut Creek", "West Branch", "Willow Run",
    "Windham", "Woodland",
)  # fmt: skip
DISTRICT_SUFFIX = {
    "rural": "Local Schools",
    "town": "Exempted Village Schools",
    "suburb": "City Schools",
    "city": "City School District",
}


@dataclass(frozen=True)
class SeededState:
    """What ``seed_state`` made, for the console and the benchmark."""

    advocate_org_id: int
    advocate_name: str
    owner_email: str | None
    owner_password: str | None
    organizations: int
    assessments: int


class AnswerPool:
    """A bounded set of generated answer sets, drawn from instead of generating each anew.

    Maturities are rounded to ``step``; each (rubric version, maturity step) gets up to
    ``variants`` answer sets, generated from the pool's own random stream the first times it is
    asked, then chosen among with the caller's. The sets are handed out as the same objects,
    so ``patterns`` (passed on to ``submit_many``) scores each one once across every call.
    Everything seeded through one pool carries the pool's clock (``now``): the stored rows of
    an answer set hold the time, so one time is what lets them be reused from state to state.
    """

    def __init__(self, variants: int = 12, *, step: float = 0.05, rng_seed: int = 1990) -> None:
        self.variants = variants
        self.step = step
        self.patterns = Patterns()
        self.now = utcnow()
        self._rng = random.Random(rng_seed)  # noqa: S311 - synthetic data, not security
        self._sets: dict[tuple[int, int], list[dict[str, ItemState]]] = {}

    def states(
        self, version: RubricVersion, rubric: Rubric, maturity: float, rng: random.Random
    ) -> dict[str, ItemState]:
        """Return an answer set for ``rubric`` at about ``maturity`` (do not change it)."""
        bucket = round(maturity / self.step)
        sets = self._sets.setdefault((version.id, bucket), [])
        if len(sets) < self.variants:
            sets.append(generate_states(rubric, self._rng, bucket * self.step))
            return sets[-1]
        return rng.choice(sets)


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _advocate(session: Session, state: str) -> tuple[Organization, str | None, str | None]:
    """Return the state's advocate org (the demo one in the demo state), with a new owner login."""
    names = [f"{STATES.get(state, state)} Youth Justice Advocates"]
    if state == DEMO_STATE:
        names.insert(0, next(name for key, name, *_ in DEMO_ORGS if key == "advocate"))
    for name in names:
        found = session.scalar(
            select(Organization).where(
                Organization.name == name,
                Organization.kind == "state_advocate",
                Organization.state == state,
            )
        )
        if found is not None:
            return found, None, None
    org = create_organization(session, name=names[-1], kind="state_advocate", state=state)
    # A demo advocate stands for the real one: verified, as a site administrator would.
    verify_organization(session, org, by=None, via="demo")
    email = f"advocate@{state.lower()}-advocates.example.org"
    new_password = secrets.token_urlsafe(12)
    password: str | None = new_password
    user = find_user(session, email)
    if user is None:
        user = create_user(
            session, email=email, name=f"{STATES.get(state, state)} Advocate", password=new_password
        )
        mark_verified(session, user, via="demo")
    else:
        password = None  # an existing account keeps its password
    add_member(session, user=user, org=org, role="owner")
    return org, email, password


def synthetic_org_count(session: Session, state: str) -> int:
    """How many organizations of the state have no members (the synthetic ones seed_state makes)."""
    has_members = select(Membership.id).where(Membership.org_id == Organization.id).exists()
    return (
        session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.state == state.strip().upper(), ~has_members)
        )
        or 0
    )


def seed_state(
    session: Session,
    n_orgs: int,
    state: str,
    rng_seed: int = 2016,
    *,
    afterschool_share: float = 0.15,
    previous_share: float = 0.3,
    periods: Sequence[str] | None = None,
    batch_size: int = 500,
    method: Method = "auto",
    pool: AnswerPool | None = None,
) -> SeededState:
    """Create ``n_orgs`` organizations in ``state`` with submitted assessments shared with the
    state advocate.

    ``afterschool_share`` of the organizations are afterschool programs (the afterschool rubric),
    the rest districts (the local rubric). By default every organization assessed the current
    period and ``previous_share`` of them the previous one too, a little less mature; with
    ``periods`` (oldest first) every organization assessed each of them, maturing a little each
    period. Assessments go in through ``bulk_import.submit_many`` (``method`` says how). With a
    ``pool``, answers come from its bounded set of answer sets (see ``AnswerPool``). The caller
    commits.
    """
    state = state.strip().upper()
    rng = random.Random(rng_seed)  # noqa: S311 - synthetic data, not security
    advocate, email, password = _advocate(session, state)
    local = latest_version(session, LOCAL_RUBRIC)
    afterschool = latest_version(session, AFTERSCHOOL_RUBRIC)
    if local is None or afterschool is None:
        raise RuntimeError("Load the rubrics first (flask rubrics load).")
    local_rubric, afterschool_rubric = rubric_of(local), rubric_of(afterschool)

    existing = set(session.scalars(select(Organization.name).where(Organization.state == state)))
    org_rows: list[dict[str, Any]] = []
    maturities: list[float] = []
    now = pool.now if pool is not None else utcnow()
    for index in range(n_orgs):
        afterschool_program = rng.random() < afterschool_share
        locale = _pick(rng, LOCALE_WEIGHTS)
        place = rng.choice(PLACES)
        if afterschool_program:
            kind, band, sro = "afterschool_program", None, None
            base = f"{place} Youth Center"
        else:
            kind = "district"
            band = _pick(rng, BANDS_BY_LOCALE[locale])
            sro = _pick(rng, SRO_BY_LOCALE[locale])
            base = f"{place} {DISTRICT_SUFFIX[locale]}"
        name, number = base, 1
        while name in existing:
            number += 1
            name = f"{base} {number}"
        existing.add(name)
        org_rows.append(
            {
                "name": name,
                # A bulk insert skips the model's validator, so the key is given here.
                "name_key": name_key(name),
                "kind": kind,
                "state": state,
                "enrollment_band": band,
                "locale": locale,
                "sro_model": sro,
                "created_at": now,
                # They stand for real organizations a site administrator has verified, so they
                # count as one another's peers on the board summary (``reports.peers``).
                "verified_at": now,
            }
        )
        maturity = MATURITY_BY_LOCALE[locale] + MATURITY_BY_SRO[sro] + rng.gauss(0, 0.12)
        maturities.append(min(0.95, max(0.05, maturity)))
        del index
    org_ids = list(
        session.scalars(
            insert(Organization).returning(Organization.id, sort_by_parameter_order=True),
            org_rows,
        )
    )

    planned: list[PlannedSubmission] = []
    count = 0
    for index, row in enumerate(org_rows):
        if row["kind"] == "district":
            version, rubric = local, local_rubric
        else:
            version, rubric = afterschool, afterschool_rubric
        if periods is None:
            assessed = [(CURRENT_PERIOD, maturities[index])]
            if rng.random() < previous_share:
                assessed.append((PREVIOUS_PERIOD, max(0.05, maturities[index] - 0.08)))
        else:
            # Oldest first, each period a little more mature than the one before.
            latest = len(periods) - 1
            assessed = [
                (period, max(0.05, maturities[index] - 0.08 * (latest - number)))
                for number, period in enumerate(periods)
            ]
        for period, maturity in assessed:
            planned.append(
                PlannedSubmission(
                    org_id=org_ids[index],
                    version=version,
                    title=f"{rubric.title} {period}",
                    period=period,
                    states=pool.states(version, rubric, maturity, rng)
                    if pool is not None
                    else generate_states(rubric, rng, maturity),
                    # Most demo organizations agree to be named; some do not, as in real life.
                    shares=(ShareTo(advocate.id, named=(count + len(planned)) % 4 != 0),),
                )
            )
            if len(planned) >= batch_size:
                count += len(_submit(session, planned, method, batch_size, now, pool))
                planned = []
    if planned:
        count += len(_submit(session, planned, method, batch_size, now, pool))
    audit.record(
        session,
        "demo.seed_state",
        org_id=advocate.id,
        target=f"state:{state}",
        organizations=n_orgs,
        assessments=count,
    )
    session.flush()
    return SeededState(advocate.id, advocate.name, email, password, n_orgs, count)


def _submit(
    session: Session,
    planned: list[PlannedSubmission],
    method: Method,
    batch_size: int,
    now: dt.datetime,
    pool: AnswerPool | None,
) -> list[int]:
    # One clock for the whole state (the pool's, with a pool), so scored answer sets are reused
    # across calls: their rows carry the time.
    return submit_many(
        session,
        planned,
        method=method,
        batch_size=batch_size,
        now=now,
        patterns=pool.patterns if pool is not None else None,
    )
