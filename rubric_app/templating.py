"""Template filters and the navigation context shared by every page. Formatting only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, url_for
from flask_login import current_user

from rubric_app.auth_session import chosen_org, memberships_of
from rubric_app.vocabulary import AUDIENCE_LABELS, ORG_KIND_LABELS


def format_percent(value: float | None) -> str:
    """Format a 0-100 score for people: "72%", or an em dash when there is none."""
    return "—" if value is None else f"{value:.0f}%"


def format_datetime(value: dt.datetime | None) -> str:
    """Format a timestamp as "27 Nov 2026, 14:32 UTC"."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%-d %b %Y, %H:%M UTC")


def format_date(value: dt.date | dt.datetime | str | None) -> str:
    """Format a date as "8 Sep 2016"; partial ISO dates ("2016-09") are shown as far as known."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parts = value.split("-")
        try:
            if len(parts) == 3:
                return dt.date.fromisoformat(value).strftime("%-d %b %Y")
            if len(parts) == 2:
                return dt.date(int(parts[0]), int(parts[1]), 1).strftime("%b %Y")
        except ValueError:
            return value
        return value
    return value.strftime("%-d %b %Y")


#: Header links: (label, endpoint, who sees it). Features not installed are left out.
#: "everyone", "signed_in", or "advocate" (working in a state advocate organization now).
NAV_LINKS = (
    ("Guidance library", "resources.index", "everyone"),
    ("Assessments", "questionnaire.index", "signed_in"),
    ("Compare", "compare.index", "signed_in"),
    ("State dashboard", "states.index", "advocate"),
    ("Organization", "accounts.organization", "signed_in"),
)


def navigation() -> dict[str, Any]:
    """The header links and the signed-in user's organizations."""
    if not current_user.is_authenticated:
        audiences = {"everyone"}
        orgs, org = [], None
    else:
        orgs = memberships_of(current_user)  # one query serves both the switcher and the org bar
        org = chosen_org(current_user, orgs)
        audiences = {"everyone", "signed_in"}
        if org is not None and org.kind == "state_advocate":
            audiences.add("advocate")
    links = [
        (label, url_for(endpoint))
        for label, endpoint, audience in NAV_LINKS
        if audience in audiences
    ]
    if getattr(current_user, "is_site_admin", False):
        links.append(("Site administration", url_for("admin.organizations")))
    return {"nav_links": links, "nav_orgs": orgs, "nav_org": org}


def init_templating(app: Flask) -> None:
    """Register the filters and the context processor."""
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["AUDIENCE_LABELS"] = AUDIENCE_LABELS
    app.jinja_env.globals["ORG_KIND_LABELS"] = ORG_KIND_LABELS
    app.context_processor(navigation)
