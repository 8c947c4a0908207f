"""The security headers on every page (issue 20, Hardening): a walk of the site (tests/crawl.py) as several roles
and as an anonymous visitor checks each answer: the strict Content-Security-Policy (no inline script or style, no
framing), `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, `X-Frame-Options: DENY`, and
`Cache-Control: no-store` on every answer to a logged-in user (none on anonymous pages, which may be cached)."""

import pytest

from tests.crawl import crawl

ROLES = ["trainer", "prescriber_adviser", "regional_officer", "facilitator", "dpo", "admin"]
MAX_URLS = 400


def header_problems(page, *, logged_in):
    headers = {name.lower(): value for name, value in page.headers.items()}
    problems = []
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if page.content_type == "text/html":
        csp = headers.get("content-security-policy", "")
        directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
        if directives.get("frame-ancestors") != "'none'" or "unsafe-inline" in csp:
            problems.append(f"CSP {csp!r}")
        if directives.get("script-src") != "'self'" or directives.get("default-src") != "'self'":
            problems.append(f"CSP {csp!r}")
        if headers.get("referrer-policy") != "same-origin":
            problems.append("Referrer-Policy")
        if headers.get("x-frame-options") != "DENY":
            problems.append("X-Frame-Options")
    cache = {part.strip() for part in headers.get("cache-control", "").split(",")}
    if logged_in and not {"no-store", "private"} <= cache:
        problems.append(f"Cache-Control {headers.get('cache-control')!r}")
    if not logged_in and "no-store" in cache and page.url.startswith(("/charte/", "/informations/")):
        problems.append("a public page is not cacheable")
    return [f"{page.url}{' (htmx)' if page.htmx else ''}: {problem}" for problem in problems]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reads_carries_the_security_headers(world, adversaries, client_for, role):
    result = crawl(client_for(world.user(role)), max_urls=MAX_URLS, per_route=2)
    assert len(result.read) > 10, "the walk read almost nothing"
    problems = [problem for page in result.pages for problem in header_problems(page, logged_in=True)]
    assert not problems, "\n".join(problems[:50])


def test_every_public_page_carries_the_security_headers_and_may_be_cached(world, client):
    result = crawl(client, max_urls=MAX_URLS, per_route=2)
    assert len(result.read) >= 3
    problems = [problem for page in result.pages for problem in header_problems(page, logged_in=False)]
    assert not problems, "\n".join(problems[:50])


def test_static_files_stay_cacheable_for_a_logged_in_user(world, client_for, settings):
    settings.WHITENOISE_USE_FINDERS = True  # WhiteNoise serves the app folders, as in `make run` (DEBUG)
    response = client_for(world.user("trainer")).get("/static/js/app.js")
    response.close()  # a streamed file: its handle closed here, not by the garbage collector
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
