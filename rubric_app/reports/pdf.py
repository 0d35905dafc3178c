"""PDF rendering: HTML in, tagged PDF/UA bytes out, with nothing fetched from outside ``static/``.

``render_pdf(html, title=...)`` is the one entry point every PDF of the app uses (the
assessment report here; the comparison and state summaries too). Relative URLs in the HTML
(``css/pdf.css``, ``fonts/...``) resolve against ``static/``; ``data:`` URLs work; anything
else (http, https, ``file:`` outside ``static/``) is refused and WeasyPrint carries on without
it. ``render_template_pdf`` renders a Jinja template first.

Templates should extend ``templates/pdf/_base.html``, which links the print stylesheet with its
embedded DejaVu fonts, running header (``string-set`` from ``.running-org`` and
``.running-title``), "Page X of Y" footer and outline levels.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

__all__ = [
    "PDF_VARIANT",
    "StaticOnlyFetcher",
    "page_count",
    "render_fitting_pdf",
    "render_pdf",
    "render_template_pdf",
]

#: Tagged PDF with a structure tree, document language and title (PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"


class StaticOnlyFetcher(URLFetcher):
    """A URL fetcher that serves only ``data:`` URLs and files under one folder."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the resource, or raise ValueError (WeasyPrint then skips it with a warning)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        if scheme != "file":
            raise ValueError(f"PDF rendering fetches nothing over the network: {url}")
        path = Path(unquote(urlsplit(url).path)).resolve()
        # resolve() follows symlinks, so a link inside static/ cannot reach outside it.
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"PDF rendering reads files under static/ only: {url}")
        # WeasyPrint only applies a stylesheet served as text/css, so say what each file is.
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})


def _html(html: str, static_root: Path | None) -> HTML:
    root = (static_root or Path(current_app.static_folder or "static")).resolve()
    return HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root))


def page_count(html: str, *, static_root: Path | None = None) -> int:
    """Return how many pages ``html`` lays out to, without writing a PDF."""
    return len(_html(html, static_root).render().pages)


def render_pdf(
    html: str,
    *,
    title: str,
    lang: str = "en",
    static_root: Path | None = None,
) -> bytes:
    """Render ``html`` to a tagged PDF/UA-1 document titled ``title`` in language ``lang``.

    Relative URLs resolve against ``static_root`` (default: the app's static folder), the only
    place files are read from.
    """
    return render_fitting_pdf([html], title=title, lang=lang, static_root=static_root)


def render_fitting_pdf(
    htmls: Sequence[str],
    *,
    max_pages: int | None = None,
    title: str,
    lang: str = "en",
    static_root: Path | None = None,
) -> bytes:
    """Render the first of ``htmls`` that lays out to at most ``max_pages`` pages (else the last).

    For a document that must keep to a page count: the layouts go from the most generous to the
    tightest, and each is laid out only if the one before it did not fit.
    """
    if not htmls:
        raise ValueError("nothing to render")
    for html in htmls:
        document = _html(html, static_root).render(pdf_variant=PDF_VARIANT, pdf_tags=True)
        if max_pages is None or len(document.pages) <= max_pages:
            break
    document.metadata.title = title
    document.metadata.lang = lang
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf


def render_template_pdf(template: str, *, title: str, lang: str = "en", **context: Any) -> bytes:
    """Render a Jinja template (usually one under ``templates/pdf/``) to a PDF."""
    return render_pdf(render_template(template, **context), title=title, lang=lang)
