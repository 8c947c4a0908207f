"""Absurd input never answers 500 (issue 15, leak 8): every page of the authorization matrix, requested by a role
that reads it, with every query parameter the project reads set to absurd values (huge integers, negative,
non-numeric, out-of-range dates, empty, very long strings), and every URL argument replaced by absurd ones.

The parameter names are read from the source (`request.GET.get("…")`, the filtersets' and GET forms' fields), so a
new parameter is tried without anyone adding it here."""

import re
from contextlib import ExitStack
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from tests.test_authorization_matrix import MATRIX

ABSURD = [
    "9" * 25,  # past every integer column
    str(2**63),  # one past a bigint
    "-1",
    "abc",
    "",
    "²",  # a digit for str.isdigit(), not for int()
    "9999-12",  # a month without a next one
    "0001-01",  # a month without a previous one
    "x" * 5000,
    "é%'\"<>;--\x00",
]

ROOT = Path(settings.BASE_DIR)
APP_DIRS = ["accounts", "alerts", "attendance", "charter", "checklist", "core", "notifications", "pathways", "ruptures"]
GET_PARAM = re.compile(r"""(?:GET(?:\.get|\.getlist)?[(\[]|params\.get\()\s*["']([\w-]+)["']""")


def source_parameters() -> set[str]:
    """Every query parameter the views read by hand, and the fields of the filtersets and forms they bind to GET."""
    names = set()
    for app in APP_DIRS:
        for path in (ROOT / app).rglob("*.py"):
            if "views" not in path.stem and "views" not in path.parts:
                continue
            names.update(GET_PARAM.findall(path.read_text()))
    from django_filters import FilterSet

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import pathways.filters  # noqa: F401  (the filtersets register as subclasses on import)

    for filterset in subclasses(FilterSet):
        if filterset.__module__.split(".")[0] in APP_DIRS:
            names.update(filterset.base_filters)
    from charter.forms import VerifyForm
    from checklist.forms import StatusFilterForm

    for form in (VerifyForm, StatusFilterForm):
        names.update(form.base_fields)
    return names


def get_pages():
    """(url name, url args builder, a role that reads the page) for every GET page of the matrix."""
    pages = []
    for name, (kwargs, expected) in MATRIX.items():
        readers = [role for role, status in expected.items() if status == 200]
        if readers and not name.startswith("admin:"):
            pages.append((name, kwargs, readers[0]))
    return pages


PAGES = get_pages()


def _get(client, url, params=None):
    return _request(client, "get", url, params)


def _request(client, method, url, params=None):
    """The response, or a 500 when the view raised (as the server would answer)."""
    try:
        response = getattr(client, method)(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
    except Exception as error:  # noqa: BLE001 - any exception is a 500 for the user
        return type("Failed", (), {"status_code": 500, "error": repr(error)[:200]})()
    return response


# url name → the query parameters its page reads (the same in every test: found once)
_READ = {}


@pytest.fixture
def page_parameters(world, adversaries, client_for):
    """(url, role, the query parameters the page reads) for every GET page: the parameters read are recorded while
    the page is requested, once bare and once with every parameter of the source set."""
    read = set()
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}
    iterating = []  # copying the whole query (into links and hidden fields) reads no parameter in particular
    items, lists, init = QueryDict.items, QueryDict.lists, QueryDict.__init__

    def building(self, *args, **kwargs):
        iterating.append(True)
        try:
            init(self, *args, **kwargs)
        finally:
            iterating.pop()

    def recording(name):
        def method(self, key, *args, **kwargs):
            if not iterating:
                read.add(key)
            return originals[name](self, key, *args, **kwargs)

        return method

    def whole(original):
        def method(self):
            iterating.append(True)
            try:
                yield from original(self)
            finally:
                iterating.pop()

        return method

    known = sorted(source_parameters())
    pages = []
    for name, kwargs, role in PAGES:
        url = reverse(name, args=kwargs(world) if kwargs else None)
        client = client_for(world.user(role))
        if name not in _READ:
            read.clear()
            with ExitStack() as stack:
                for method in originals:
                    stack.enter_context(mock.patch.object(QueryDict, method, recording(method)))
                stack.enter_context(mock.patch.object(QueryDict, "items", whole(items)))
                stack.enter_context(mock.patch.object(QueryDict, "lists", whole(lists)))
                stack.enter_context(mock.patch.object(QueryDict, "__init__", building))
                _get(client, url)
                _get(client, url, dict.fromkeys(known, "1"))
            _READ[name] = sorted(read - {"csrfmiddlewaretoken"})
        pages.append((url, role, _READ[name]))
    return pages


def test_every_parameter_the_source_reads_is_tried_on_a_page_that_reads_it(page_parameters):
    tried = {parameter for _url, _role, parameters in page_parameters for parameter in parameters}
    assert source_parameters() - {"next"} <= tried
    reads = {url: parameters for url, _role, parameters in page_parameters}
    assert "mois" in next(p for url, p in reads.items() if "/calendrier/" in url)
    assert "session" in reads[reverse("attendance:watch_list")]
    assert "prescribing_organisation" in reads[reverse("pathways:adviser_options")]


@pytest.mark.parametrize("value", ABSURD, ids=lambda v: v[:20] or "empty")
def test_no_page_fails_on_an_absurd_query_parameter(world, client_for, page_parameters, value):
    failures = []
    for url, role, parameters in page_parameters:
        client = client_for(world.user(role))
        for parameter in parameters:
            response = _get(client, url, {parameter: value})
            if response.status_code >= 500:
                failures.append(f"{url} ?{parameter}={value[:30]}: {getattr(response, 'error', 500)}")
        # and all of them at once, as a form of filters sends them
        response = _get(client, url, dict.fromkeys(parameters, value))
        if response.status_code >= 500:
            failures.append(f"{url} ?(all)={value[:30]}: {getattr(response, 'error', 500)}")
    assert not failures, "\n".join(failures)


# Every argument is tried with each, whatever its converter: a value the converter refuses answers 404.
ABSURD_ARGUMENTS = [
    "0",
    "9" * 25,
    str(2**63),
    "-1",
    "abc",
    "x" * 1000,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "é'\"<>\x00",
]
PLACEHOLDER = re.compile(r"<(?:\w+:)?\w+>")


def _fill(route: str, values: list[str]) -> str:
    """`route` with its placeholders replaced by `values`, in order, quoted as a browser would."""
    remaining = iter(values)
    return PLACEHOLDER.sub(lambda _match: quote(next(remaining), safe=""), route)


@pytest.mark.parametrize("name", [n for n in MATRIX if not n.startswith("admin:")])
def test_no_url_fails_on_an_absurd_argument(world, client_for, name):
    from django.urls import resolve

    kwargs, expected = MATRIX[name]
    if kwargs is None:
        return
    args = [str(arg) for arg in kwargs(world)]
    route = resolve(reverse(name, args=args)).route
    roles = [role for role, status in expected.items() if status in (200, 302, 405)] or ["admin"]
    client = client_for(world.user(roles[0]))
    failures = []
    for index in range(len(args)):
        for value in ABSURD_ARGUMENTS:
            url = "/" + _fill(route, [*args[:index], value, *args[index + 1 :]])
            for method in ("get", "post"):
                response = _request(client, method, url)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url[:120]}: {getattr(response, 'error', response.status_code)}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------------------------
# Forms: every POST form of every page, sent as the page shows it, with one field at a time set to an absurd value.


class _Forms(HTMLParser):
    """The POST forms of a page: [(action, {name: value})] with what a browser sends when nothing is touched (a
    select sends its selected option, else its first with a value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._fields, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        if self._fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs or name not in self._fields:
                    self._fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self._fields[name] = ""
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            if "selected" in attrs or (value and not self._fields[self._select]):
                self._fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def page_forms(body: str, url: str):
    parser = _Forms()
    parser.feed(body)
    return [(action or url, fields) for action, fields in parser.forms]


FORM_ABSURD = ["9" * 25, "0001-01-01", "9999-12-31", "x" * 5000]


@pytest.mark.parametrize("value", FORM_ABSURD, ids=lambda v: v[:20])
def test_no_form_fails_on_an_absurd_field(world, adversaries, client_for, value):
    failures = []
    for name, kwargs, role in PAGES:
        client = client_for(world.user(role))
        url = reverse(name, args=kwargs(world) if kwargs else None)
        response = _get(client, url)
        if response.status_code != 200 or response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        for action, fields in page_forms(response.content.decode(), url):
            for field in fields:
                if field == "csrfmiddlewaretoken":
                    continue
                response = _request(client, "post", action, {**fields, field: value})
                if response.status_code >= 500:
                    failures.append(f"{name} → POST {action} {field}={value[:30]}: {getattr(response, 'error', 500)}")
    assert not failures, "\n".join(failures)
