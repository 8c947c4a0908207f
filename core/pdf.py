"""PDF rendering for the whole project (docs/design.md §8): a Django template extending `pdf/base.html`, printed by
WeasyPrint. Called by workers only (Celery), never in a page load.

The base template sets the page (A4, margins, DejaVu Sans, "Sans Rupture" header, "page X / Y" footer); documents
fill its blocks. Resources are fetched only from `data:` URLs and the project's static folders: a document never
reaches the network or the rest of the file system, whatever its content.
"""

import functools
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string


def _allowed_roots() -> list[Path]:
    roots = [Path(folder) for folder in getattr(settings, "STATICFILES_DIRS", [])]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"Resource not allowed in a PDF: {url}")

    return LocalURLFetcher(allowed_protocols=("data", "file"))


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render `template_name` (which extends `pdf/base.html`) with `context` and return the PDF's bytes.

    `base_url` resolves relative URLs in the document (images, stylesheets); by default the static folder.
    """
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    if base_url is None:
        base_url = Path(settings.BASE_DIR, "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher()).write_pdf()


@functools.cache
def weasyprint_available() -> tuple[bool, str]:
    """Whether WeasyPrint can render here (its Python package and the Pango libraries), and why not."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: the Pango/GObject shared libraries are missing
        return False, f"WeasyPrint cannot be imported: {error}"
    try:
        pdf = HTML(string="<p>Sans Rupture</p>").write_pdf()
    except Exception as error:
        return False, f"WeasyPrint cannot render a PDF: {error}"
    if not pdf.startswith(b"%PDF"):
        return False, "WeasyPrint did not produce a PDF"
    return True, ""
