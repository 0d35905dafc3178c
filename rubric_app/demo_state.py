"""Bulk synthetic states: many organizations with submitted, shared assessments, fast.

``seed_state`` builds a believable state for the roll-up pages and the benchmark: mostly school
districts and some afterschool programs, with enrollment bands, locales and SRO staffing models
that hang together, answers drawn by ``rubric_app.demo.generate_states`` around a maturity that
depends on locale and SRO model (so filters show real differences), each assessment submitted
(snapshot, content hash, cached section scores and item results from the scoring core) and
shared with the state advocate. Rows go in with bulk ``insert()``; nothing here is for
production data.
"""

from __future__ import annotations

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
from rubric_app.assessments import (
    ItemState,
    encode_value,
    item_result_rows,
    payload_hash,
    snapshot_payload,
)
from rubric_app.demo import DEMO_ORGS, DEMO_STATE, generate_states
from rubric_app.models import (
    Answer,
    Assessment,
    ItemNote,
    ItemResult,
    Membership,
    Organization,
    RubricVersion,
    SectionScore,
    Share,
    Snapshot,
    utcnow,
)
from rubric_app.rubric_versions import latest_version, rubric_of
from rubric_app.rubrics.model import Rubric
from rubric_app.score_cache import section_score_rows
from rubric_app.scoring import score_assessment
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


@dataclass
class _Planned:
    org_index: int
    version: RubricVersion
    rubric: Rubric
    period: str
    states: dict[str, ItemState]


def _insert_batch(
    session: Session, planned: Sequence[_Planned], org_ids: Sequence[int], advocate_id: int
) -> None:
    now = utcnow()
    rows = [
        {
            "org_id": org_ids[p.org_index],
            "rubric_version_id": p.version.id,
            "rubric_key": p.version.rubric_key,
            "title": f"{p.rubric.title} {p.period}",
            "period": p.period,
            "status": "submitted",
            "revision": 1,
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
            "snapshot_hash": None,
        }
        for p in planned
    ]
    payloads = []
    for p, row in zip(planned, rows, strict=True):
        payload = snapshot_payload(p.version, p.states)
        row["snapshot_hash"] = payload_hash(payload)
        payloads.append(payload)
    ids = list(
        session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows
        )
    )
    answers: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    item_results: list[dict[str, Any]] = []
    shares: list[dict[str, Any]] = []
    for assessment_id, p, payload, row in zip(ids, planned, payloads, rows, strict=True):
        for item_id, state in p.states.items():
            for dimension, value in state.values.items():
                answers.append(
                    {
                        "assessment_id": assessment_id,
                        "item_id": item_id,
                        "dimension": dimension,
                        "value": encode_value(value, p.rubric.item(item_id).type),
                        "revision": 1,
                        "updated_at": now,
                    }
                )
            # Like the questionnaire, every saved item has a note row.
            notes.append(
                {
                    "assessment_id": assessment_id,
                    "item_id": item_id,
                    "not_applicable": state.not_applicable,
                    "na_reason": state.na_reason,
                    "comment": state.comment,
                    "evidence_quote": "",
                    "evidence_source": "",
                    "flagged": state.flagged,
                    "revision": 1,
                    "updated_at": now,
                }
            )
        snapshots.append(
            {
                "assessment_id": assessment_id,
                "number": 1,
                "revision": 1,
                "content_hash": row["snapshot_hash"],
                "payload": payload,
                "submitted_at": now,
            }
        )
        answers_for_scoring = {item_id: state.to_answer() for item_id, state in p.states.items()}
        score = score_assessment(p.rubric, answers_for_scoring)
        scores.extend(section_score_rows(assessment_id, score))
        item_results.extend(item_result_rows(assessment_id, p.rubric, score))
        shares.append(
            {
                "assessment_id": assessment_id,
                "to_org_id": advocate_id,
                "created_at": now,
                # Most demo organizations agree to be named; some do not, as in real life.
                "named_in_lists": assessment_id % 4 != 0,
            }
        )
    for model, batch in (
        (Answer, answers),
        (ItemNote, notes),
        (Snapshot, snapshots),
        (SectionScore, scores),
        (ItemResult, item_results),
        (Share, shares),
    ):
        if batch:
            session.execute(insert(model), batch)


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
    batch_size: int = 250,
) -> SeededState:
    """Create ``n_orgs`` organizations in ``state`` with submitted assessments shared with the
    state advocate.

    ``afterschool_share`` of the organizations are afterschool programs (the afterschool rubric),
    the rest districts (the local rubric). ``previous_share`` of them also assessed the previous
    period, a little less mature. The caller commits.
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
    now = utcnow()
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

    planned: list[_Planned] = []
    count = 0
    for index, row in enumerate(org_rows):
        if row["kind"] == "district":
            version, rubric = local, local_rubric
        else:
            version, rubric = afterschool, afterschool_rubric
        periods = [(CURRENT_PERIOD, maturities[index])]
        if rng.random() < previous_share:
            periods.append((PREVIOUS_PERIOD, max(0.05, maturities[index] - 0.08)))
        for period, maturity in periods:
            states = generate_states(rubric, rng, maturity)
            planned.append(_Planned(index, version, rubric, period, states))
            if len(planned) >= batch_size:
                _insert_batch(session, planned, org_ids, advocate.id)
                count += len(planned)
                planned = []
    if planned:
        _insert_batch(session, planned, org_ids, advocate.id)
        count += len(planned)
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
