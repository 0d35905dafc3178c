"""The report page's body, rendered once per content and kept per process: ``report_body``.

The body of a submitted assessment's report (``templates/reports/_report_body.html``: scores,
charts, gaps, the law, evidence) is most of the page's cost and changes only with what it is
built from. It is kept in a bounded, least-recently-used cache per app (so per process; the
app runs as several stateless processes, each with its own) under a key made of:

- ``ReportSources`` (``sources``): everything the report reads besides the stored answers,
  read again on every request: the assessment's id, revision, status, title, period,
  submission and rubric version; the organization's id, name, kind and state; this and the
  previous period's actions as shown (today's date decides "overdue"); the previous
  assessment's identity and revision; the funding conditions added; the accepted evidence;
  a version crosswalk's renames. The stored answers are fixed by the assessment id and
  revision (every writer of answers counts the revision up), and only submitted assessments
  are kept, whose answers no writer changes.
- ``may_plan``: whether the viewer may plan actions (the page's "Plan an action" links), so
  an editor's body is never shown to a viewer, nor the other way round;
- ``member``: whether the viewer belongs to the owning organization (``reports.voice``: "Where
  you stand" for its members, "Where Riverton ... stands" for a reader it was shared with);
- the request's script root (the body's links are relative to it).

An entry also holds the catalog, the frameworks and the compiled body template it was drawn
with and is used only while the app still has those same objects. Nothing else goes in: the
body template reads only ``report``, ``chart``, ``phone_chart``, ``may_plan`` and ``voice``
(made from ``member`` and the report; a test holds it to that), and the per-user page around
it (navigation, flash messages, forms and their CSRF tokens) is rendered on every request by
``reports/report.html``. The cache is off while templates reload from disk
(``TEMPLATES_AUTO_RELOAD`` or debug). Drafts are never kept: they
change with every save, so a hit would be rare.

Under PostgreSQL's read-committed isolation the answers are read by a later statement than the
assessment row, so a reopen and save committed in between could be drawn under the key of the
revision read before them. Revisions only count up, so no later request asks for that key
again; only requests that read the same row at the same time could get the newer body.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from jinja2 import Template
from markupsafe import Markup
from sqlalchemy.orm import Session

from rubric_app.bounded_cache import BoundedCache
from rubric_app.catalog_state import current_catalog
from rubric_app.framework_state import current_frameworks
from rubric_app.frameworks.loader import FrameworkLoad
from rubric_app.models import Assessment
from rubric_app.rubrics.catalog import Catalog

from .charts import section_score_chart
from .sources import ReportSources, read_sources
from .view_data import Report, build_report
from .voice import Voice

#: Rendered bodies kept per process (a large report's body is about 150 KB, so about 10 MB).
CACHE_SIZE = 64

#: The template of the body, rendered from the report and the viewer's right to plan only.
BODY_TEMPLATE = "reports/_report_body.html"

_EXTENSION = "rubric_app.report_pages"


@dataclass(frozen=True)
class PageKey:
    """What a kept body is looked up by (see the module docstring)."""

    sources: ReportSources
    may_plan: bool
    member: bool
    script_root: str


@dataclass(frozen=True)
class _Entry:
    catalog: Catalog
    frameworks: FrameworkLoad
    template: Template
    body: Markup


def page_cache(app: Flask) -> BoundedCache[PageKey, _Entry]:
    """The app's cache of report bodies (made on first use)."""
    found: BoundedCache[PageKey, _Entry] | None = app.extensions.get(_EXTENSION)
    if found is None:
        # setdefault: two threads making it at once share the one that landed first.
        found = app.extensions.setdefault(_EXTENSION, BoundedCache(CACHE_SIZE))
    return found


def render_body(
    report: Report, *, may_plan: bool, member: bool = True, template: Template | None = None
) -> Markup:
    """Render the report page's body from ``report``, the viewer's right to plan and whether
    the viewer belongs to the owning organization (``member``)."""
    body = template or current_app.jinja_env.get_template(BODY_TEMPLATE)
    # The output of an autoescaping template (every value in it was escaped as it rendered),
    # marked safe so the page around it inserts it as it is.
    return Markup(  # noqa: S704  # nosec B704
        body.render(
            report=report,
            chart=section_score_chart(report),
            # The same chart laid out for phones; the page shows one of the two by width.
            phone_chart=section_score_chart(
                report, chart_id="section-scores-phone", layout="narrow"
            ),
            may_plan=may_plan,
            voice=Voice(member, report.org_name),
        )
    )


def report_body(
    session: Session, assessment: Assessment, *, may_plan: bool, member: bool = True
) -> Markup:
    """The report page's body of ``assessment``, from the cache when it is submitted."""
    sources = read_sources(session, assessment)
    catalog = current_catalog()
    frameworks = current_frameworks()
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    template = app.jinja_env.get_template(BODY_TEMPLATE)
    if sources.status != "submitted" or app.jinja_env.auto_reload:
        built = build_report(session, assessment, catalog, sources=sources)
        return render_body(built, may_plan=may_plan, member=member, template=template)
    key = PageKey(sources, may_plan, member, request.script_root)
    cache = page_cache(app)
    entry = cache.get(key)
    if (
        entry is not None
        and entry.catalog is catalog
        and entry.frameworks is frameworks
        and entry.template is template
    ):
        return entry.body
    built = build_report(session, assessment, catalog, sources=sources)
    body = render_body(built, may_plan=may_plan, member=member, template=template)
    cache.put(key, _Entry(catalog, frameworks, template, body))
    return body
