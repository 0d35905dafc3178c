"""The rules of starting an assessment live in the operation, with codes the start page maps.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the ``session`` fixture's backends).
"""

from __future__ import annotations

import pytest
from helpers import make_org
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rubric_app.assessments import StartRefused, start_assessment
from rubric_app.models import Assessment, Organization, RubricVersion
from rubric_app.rubric_versions import latest_version

LOCAL = "secure-local-implementation"
OTHER = "afterschool-law-enforcement-partnership"


def _version(session: Session, key: str = LOCAL) -> RubricVersion:
    version = latest_version(session, key)
    assert version is not None
    return version


def _start(session: Session, org: Organization, **kwargs: object) -> Assessment:
    values: dict[str, object] = {"title": "MOU review", "period": "2026-27", "user": None}
    values.update(kwargs)
    version = values.pop("version", None) or _version(session)
    return start_assessment(session, org=org, version=version, **values)  # type: ignore[arg-type]


def _count(session: Session) -> int:
    return session.scalar(select(func.count(Assessment.id))) or 0


def test_a_taken_period_is_refused_with_the_assessment_in_the_way(session: Session) -> None:
    org = make_org(session, "Riverside District")
    first = _start(session, org)
    with pytest.raises(StartRefused) as refused:
        _start(session, org, title="Second try", period=" 2026-27 ")
    assert refused.value.code == "period_taken"
    assert refused.value.existing is not None
    assert refused.value.existing.id == first.id
    assert "already has an assessment of this rubric for 2026-27" in str(refused.value)
    assert _count(session) == 1


def test_a_second_assessment_needs_a_title_that_tells_them_apart(session: Session) -> None:
    org = make_org(session, "Riverside District")
    _start(session, org)
    with pytest.raises(StartRefused) as refused:
        _start(session, org, title=" mou REVIEW ", allow_second=True)
    assert refused.value.code == "title_not_distinct"
    assert _count(session) == 1
    second = _start(session, org, title="MOU review, north campus", allow_second=True)
    assert second.period == "2026-27"
    assert _count(session) == 2


def test_answers_are_copied_only_from_the_same_rubric_and_organization(session: Session) -> None:
    org = make_org(session, "Riverside District")
    stranger = make_org(session, "Hillside District")
    earlier = _start(session, org, period="2025-26")
    theirs = _start(session, stranger, period="2025-26")
    with pytest.raises(StartRefused) as other_rubric:
        _start(session, org, version=_version(session, OTHER), previous=earlier)
    assert other_rubric.value.code == "previous_other_rubric"
    with pytest.raises(StartRefused) as other_org:
        _start(session, org, previous=theirs)
    assert other_org.value.code == "previous_other_org"
    assert _count(session) == 2
    copied = _start(session, org, previous=earlier)
    assert copied.previous_id == earlier.id


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"title": "MOU review \u202e2026"}, "title_unfit", "(U+202E)"),
        ({"title": "MOU\u200b review"}, "title_unfit", "(U+200B)"),
        ({"period": "\u202e2026-27"}, "period_unfit", "(U+202E)"),
        ({"period": "2026-2027"}, "period_unfit", "like 2026-27"),
        ({"period": "\uff12\uff10\uff12\uff16-27"}, "period_unfit", "like 2026-27"),
        ({"period": "2026-28"}, "period_unfit", "after 2026- comes 27"),
    ],
)
def test_titles_and_periods_hold_no_invisible_formatting_and_periods_are_school_years(
    session: Session, changes: dict[str, str], code: str, message: str
) -> None:
    # The operation holds the rule for every caller (the start page, the importer, the seeder).
    org = make_org(session, "Riverside District")
    with pytest.raises(StartRefused) as refused:
        _start(session, org, **changes)
    assert refused.value.code == code
    assert message in str(refused.value)
    assert _count(session) == 0


def test_a_title_may_quote_another_alphabet(session: Session) -> None:
    # Mixed alphabets are refused in names (impostors), not in titles.
    org = make_org(session, "Riverside District")
    assert (
        _start(session, org, title="MOU review, Αθήνα campus").title == "MOU review, Αθήνα campus"
    )


@pytest.mark.parametrize("period", ["2026-27", " 2099-00 ", "2026"])
def test_school_years_and_years_are_periods(session: Session, period: str) -> None:
    org = make_org(session, "Riverside District")
    assert _start(session, org, period=period).period == period.strip()
