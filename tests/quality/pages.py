"""Every page type of the app and how to reach it as a demo user.

The accessibility check, the HTML checker and the coverage test read ``PAGE_TYPES``. Each
entry names the endpoint it exercises, who looks at it and a URL builder that finds the ids it
needs in the seeded demo database. ``NOT_PAGES`` lists the GET endpoints that return no HTML
page (files, JSON, redirects), each with the reason; ``test_every_get_endpoint_is_a_listed_page``
fails when a new GET endpoint is in neither, so new pages cannot escape the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rubric_app.models import Assessment, Organization

ADMIN = "admin@riverton.example.org"
EDITOR = "editor@riverton.example.org"
VIEWER = "viewer@riverton.example.org"
LEAD = "lead@rys.example.org"
ADVOCATE = "advocate@buckeye.example.org"
CHIEF = "chief@college.example.org"

RIVERTON = "Riverton City School District"
CEDAR = "Cedar Hollow Local Schools"
RYS = "Riverton Youth Sports & Learning"
ADVOCATE_ORG = "Buckeye Youth Justice Coalition"


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


PAGE_TYPES: tuple[PageType, ...] = (
    PageType("home, anonymous", "main.home", None, fixed("/")),
    PageType("home, signed in", "main.home", ADMIN, fixed("/")),
    PageType("sign in", "accounts.signin", None, fixed("/signin")),
    PageType(
        "rubric method", "rubric_pages.rubric", None, fixed("/rubrics/secure-local-implementation")
    ),
    PageType("not found", "", ADMIN, fixed("/no-such-page"), status=404),
)

#: GET endpoints that answer with something other than an HTML page, and why they are exempt.
NOT_PAGES: dict[str, str] = {
    "static": "CSS, JavaScript, fonts and images",
    "main.healthz": "JSON health check",
}
