"""Builders for report, action plan, export and PDF tests: an organization with a rated review."""

from __future__ import annotations

from dataclasses import dataclass

from helpers import make_org, make_user
from sqlalchemy.orm import Session

from rubric_app.assessments import ItemChange, ItemState, save_items, start_assessment, submit
from rubric_app.models import Assessment, Organization, User
from rubric_app.rubric_versions import latest_version, rubric_of

LOCAL = "secure-local-implementation"


@dataclass
class Setup:
    org: Organization
    owner: User
    assessment: Assessment


def rated_states(rubric_id: str = LOCAL, session: Session | None = None) -> dict[str, ItemState]:
    """Answers with a known shape: the gate says yes, every scored item rated, some gaps.

    Items alternate fully / partly / not in place by position; the first scored item is N/A
    with a reason, the second carries a comment, evidence and a flag.
    """
    assert session is not None
    version = latest_version(session, rubric_id)
    assert version is not None
    rubric = rubric_of(version)
    states: dict[str, ItemState] = {}
    scored = [item for item in rubric.items if item.type == "scale"]
    for item in rubric.items:
        if item.type == "yes_no":
            states[item.id] = ItemState(values={"value": "yes"})
    cycle = ("fully", "partly", "not-in-place")
    for position, item in enumerate(scored):
        scale = rubric.scale_of(item)
        assert scale is not None
        keys = {option.key for option in scale.options}
        if position == 0:
            states[item.id] = ItemState(not_applicable=True, na_reason="No officers at night.")
            continue
        key = cycle[position % 3] if cycle[position % 3] in keys else scale.options[0].key
        values: dict[str, str | tuple[str, ...]] = dict.fromkeys(item.dimensions, key)
        if position == 1:
            states[item.id] = ItemState(
                values=values,
                comment="Check the wording with the police department.",
                evidence_quote="Officers shall not " + "enforce-school-rules-" * 12 + "ever.",
                evidence_source="MOU 2024, section 4.2",
                flagged=True,
            )
        else:
            states[item.id] = ItemState(values=values)
    return states


def make_setup(
    session: Session,
    *,
    org_name: str = "Riverton City School District",
    email: str = "owner@riverton.example.org",
    rubric_id: str = LOCAL,
    period: str = "2025-26",
    submitted: bool = True,
) -> Setup:
    """An organization, its owner and one rated (by default submitted) assessment."""
    org = make_org(session, org_name)
    owner = make_user(session, email, org, "owner")
    assessment = make_assessment(
        session, org, owner, rubric_id=rubric_id, period=period, submitted=submitted
    )
    return Setup(org, owner, assessment)


def make_assessment(
    session: Session,
    org: Organization,
    user: User,
    *,
    rubric_id: str = LOCAL,
    period: str = "2025-26",
    submitted: bool = True,
    previous: Assessment | None = None,
    states: dict[str, ItemState] | None = None,
) -> Assessment:
    version = latest_version(session, rubric_id)
    assert version is not None
    assessment = start_assessment(
        session,
        org=org,
        version=version,
        title=f"Review {period}",
        period=period,
        user=user,
        previous=previous,
    )
    chosen = rated_states(rubric_id, session) if states is None else states
    save_items(
        session,
        assessment,
        [ItemChange(item_id, state, None) for item_id, state in chosen.items()],
        user=user,
    )
    if submitted:
        submit(session, assessment, user=user)
    session.commit()
    return assessment
