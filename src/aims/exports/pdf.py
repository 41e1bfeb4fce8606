"""HTML to PDF with WeasyPrint: nothing is fetched, user text is escaped by the caller's
Jinja2 autoescape, and the style sheet travels beside the HTML (never through autoescape)."""

from __future__ import annotations

from typing import Any, NoReturn

from aims.errors import Unavailable


def _refuse(url: str) -> NoReturn:
    raise ValueError(f"exports load nothing from outside; refused {url[:80]!r}")


def url_fetcher() -> Any:
    """A fetcher that refuses every URL, so no field can make the server fetch anything."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint 68 and later
    except ImportError:  # older versions take a plain function
        return _refuse

    class RefuseAll(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> NoReturn:
            _refuse(url)

    return RefuseAll()


def html_to_pdf(html: str, css: str) -> bytes:
    """Lay out ``html`` with ``css``; a machine without Pango gets a clear 503."""
    # Imported late: loading Pango costs time, and only PDF exports need it.
    try:
        from weasyprint import CSS, HTML
    except OSError as exc:  # the Pango system library is missing
        raise Unavailable(
            "PDF export needs the Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0)"
        ) from exc
    fetcher = url_fetcher()
    style = CSS(string=css, url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[style])
    return pdf
