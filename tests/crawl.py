"""A crawler for leak tests: walk every page a logged-in client can reach and hand back what it read.

It starts from the home page and every URL of the URL conf that takes no argument, then follows every same-site
`href`, `hx-get`, `src` and form `action` found in the HTML (GET only; htmx targets are asked as fragments, with the
`HX-Request` header), and redirects. Logout and static files are left alone. Downloads are turned into text: PDF with
pypdf, XLSX by reading its XML parts, CSV and other text by decoding the bytes.

The walk is bounded (`max_urls` in all; `per_route` distinct paths per URL name, more for the routes named in
`route_limits` by name or namespace; `per_path` query strings per path, so that sorting, filtering and calendar links
do not multiply a page), deduplicated by path + query, and deterministic (breadth first, links in page order). In the
Django admin, only change lists (without filters) and a few change pages per model are read: add, delete and history
pages show nothing more.
"""

import io
import re
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

# URL names never followed: logging out would end the walk; the rest answer a GET by changing state or are not pages.
SKIPPED_NAMES = {"logout", "accounts:logout", "admin:logout", "set_language"}
SKIPPED_PREFIXES = ("/static/", "/__debug__/")
ADMIN_SKIPPED_SUFFIXES = ("_add", "_delete", "_history")
ADMIN_PER_ROUTE = 1
LINK_ATTRIBUTES = {"href", "hx-get", "action", "src", "data-hx-get", "formaction"}
HTMX_ATTRIBUTES = {"hx-get", "data-hx-get"}


def argumentless_urls() -> list[str]:
    """Every URL of the URL conf that can be reversed without arguments, in the URL conf's order."""
    urls = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                walk(entry.url_patterns, inner or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                try:
                    urls.append(reverse(name))
                except NoReverseMatch:
                    continue

    walk(get_resolver().url_patterns, "")
    return list(dict.fromkeys(urls))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (url, asked as an htmx fragment)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value:
                self.links.append((value, name in HTMX_ATTRIBUTES))


def links_of(html: str) -> list[tuple[str, bool]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def text_of(response) -> str:
    """The readable text of a response: HTML/CSV/JSON decoded, PDF extracted, XLSX's XML parts read."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "").split(";")[0].strip()
    if kind == "application/pdf" or content.startswith(b"%PDF"):
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(content))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # noqa: BLE001 - an unreadable PDF is read as bytes
            return content.decode(errors="replace")
    if content.startswith(b"PK"):  # XLSX, DOCX, ODS, ZIP: every part decoded
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode(errors="replace")


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str
    htmx: bool = False
    headers: dict = field(default_factory=dict)  # the response's headers (names as sent)


@dataclass
class Crawl:
    pages: list[Page] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # why URLs were not asked
    errors: list[str] = field(default_factory=list)  # pages that raised

    @property
    def read(self) -> list[Page]:
        return [page for page in self.pages if page.status == 200]

    def find(self, markers) -> list[str]:
        """`url: marker` for every marker found in a page read."""
        return [
            f"{page.url}{' (htmx)' if page.htmx else ''}: {m}" for page in self.pages for m in markers if m in page.text
        ]


def _route(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(
    client,
    *,
    start=None,
    max_urls=2000,
    per_route=3,
    per_path=2,
    route_limits=None,
    fragments_under=(),
    host="testserver",
) -> Crawl:
    """Walk the site as `client` (already logged in). Returns every response read, with its text. The pages under
    the paths `fragments_under` are also asked as htmx fragments."""
    queue = deque((url, False) for url in (start if start is not None else ["/", *argumentless_urls()]))
    seen: set[tuple[str, bool]] = set()
    paths_of: dict[str, set] = {}
    variants: Counter = Counter()
    route_limits = route_limits or {}
    result = Crawl()
    while queue and len(result.pages) < max_urls:
        raw, htmx = queue.popleft()
        url = urldefrag(raw)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != host):
            result.skipped["external"] += 1
            continue
        path = parts.path or "/"
        url = f"{path}?{parts.query}" if parts.query else path
        if (url, htmx) in seen:
            continue
        seen.add((url, htmx))
        if path.startswith(SKIPPED_PREFIXES):
            result.skipped["static"] += 1
            continue
        name = _route(path)
        if name is None:
            result.skipped["unresolved"] += 1
            continue
        if name in SKIPPED_NAMES or name.endswith(":logout"):
            result.skipped["logout"] += 1
            continue
        if name.startswith("admin:") and (name.endswith(ADMIN_SKIPPED_SUFFIXES) or parts.query):
            result.skipped["admin"] += 1
            continue
        if name == "admin:login" and parts.query:
            result.skipped["login"] += 1
            continue
        if parts.query:
            variants[path] += 1
            if variants[path] > per_path:
                result.skipped["per_path"] += 1
                continue
        limit = route_limits.get(name, route_limits.get(name.split(":")[0], per_route))
        if name.startswith("admin:") and name.endswith("_change"):
            limit = min(limit, ADMIN_PER_ROUTE)
        paths = paths_of.setdefault(name, set())
        if path not in paths and len(paths) >= limit:
            result.skipped["per_route"] += 1
            continue
        paths.add(path)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        try:
            response = client.get(url, **headers)
        except Exception as error:  # noqa: BLE001 - a crashing page is recorded, the walk goes on
            result.pages.append(Page(url=url, status=500, content_type="", text=repr(error), htmx=htmx))
            result.errors.append(f"{url}: {error!r}")
            continue
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        text = text_of(response)
        result.pages.append(
            Page(
                url=url,
                status=response.status_code,
                content_type=content_type,
                text=text,
                htmx=htmx,
                headers=dict(response.items()),
            )
        )
        if response.status_code in (301, 302, 303, 307, 308) and response.get("Location"):
            queue.append((urljoin(url, response["Location"]), False))
            continue
        if response.status_code == 200 and content_type == "text/html":
            if not htmx and path.startswith(tuple(fragments_under)):
                queue.append((url, True))
            for link, is_htmx in links_of(text):
                if link.startswith(("mailto:", "tel:", "javascript:", "data:")) or re.match(r"^#", link):
                    continue
                queue.append((urljoin(url, link), is_htmx))
    return result
