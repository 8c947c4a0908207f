"""No personal data in the logs (issue 20, Hardening): people are searched by name with `GET ?q=`, so every log line
loses its query string (core/logging.py), gunicorn's access log has a format without it (config/gunicorn.py), Django's
error reports show neither the query string nor the form values, and Celery tasks take ids, never names."""

import io
import logging
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sentry_sdk.utils
from django.conf import settings
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.debug import get_exception_reporter_class

from core import sentry
from core.logging import DropQueryStrings, drop_query_strings, scrub
from core.tasks import enqueues_held
from pathways.models import Beneficiary
from ruptures.models import Rupture
from tests.conftest import require_service

ROOT = Path(settings.BASE_DIR)

# The person registered during the flow, and the world's person (whose stage breaks).
NEW = {"first_name": "Inès", "last_name": "Lefèvre", "email": "ines.lefevre@example.org", "phone": "06 11 22 33 44"}
WORLD = {"email": "zoe.martin@example.org", "phone": "0698765432"}


def personal_markers(world):
    return [
        "Inès",
        "Lefèvre",
        "LEFÈVRE",
        "Lef%C3%A8vre",
        "Lef%C3%88vre",
        "In%C3%A8s",
        "ines.lefevre%40",
        "ines.lefevre",
        "06 11 22 33 44",
        "0611223344",
        "611223344",  # also in E.164 (+33611223344)
        "698765432",
        world.beneficiary.first_name,
        world.beneficiary.last_name,
        world.beneficiary.last_name.upper(),
        "zoe.martin",
        "0698765432",
    ]


@pytest.fixture
def log_output():
    """What the configured log handlers (settings.LOGGING: the root console and the development server's) write,
    into one buffer, for the duration of the test."""
    buffer = io.StringIO()
    handlers = [
        handler
        for handler in (*logging.getLogger().handlers, *logging.getLogger("django.server").handlers)
        if isinstance(handler, logging.StreamHandler) and any(isinstance(f, DropQueryStrings) for f in handler.filters)
    ]
    assert len(handlers) == 2, "settings.LOGGING: the console and the server handlers drop query strings"
    streams = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, streams, strict=True):
        handler.setStream(stream)


def dev_server_request_line(line, status="200"):
    """Log a request line exactly as `manage.py runserver` does (WSGIRequestHandler.log_message)."""

    class Handler:
        request = None

        def log_date_time_string(self):
            return "06/Dec/2026 03:00:00"

    WSGIRequestHandler.log_message(Handler(), '"%s" %s %s', line, status, "1234")


def test_a_full_flow_writes_no_name_email_or_phone_in_any_log(
    world, client_for, caplog, log_output, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    world.beneficiary.email, world.beneficiary.phone = WORLD["email"], WORLD["phone"]
    world.beneficiary.save()
    adviser, trainer = world.user("prescriber_adviser"), world.user("trainer")
    searches = ["Lefèvre", "Inès Lefèvre", NEW["email"], "0611223344", world.beneficiary.last_name]
    with enqueues_held() as held:
        # Register a person.
        client = client_for(adviser)
        response = client.post(
            reverse("pathways:beneficiary_create"),
            {
                **NEW,
                "birth_date": "2003-02-11",
                "commune": world.commune.pk,
                "referent": adviser.pk,
                "prescribing_organisation": world.prescriber.pk,
                "prescribing_adviser": adviser.pk,
                "opened_by": world.prescriber.pk,
            },
        )
        assert response.status_code == 302
        person = Beneficiary.objects.get(last_name="Lefèvre")
        # Search them by name, e-mail and phone; open their page and the world's person's.
        for q in searches:
            for name in ("pathways:beneficiary_list", "pathways:pathway_list"):
                url = f"{reverse(name)}?{urlencode({'q': q})}"
                assert client.get(url).status_code == 200
                dev_server_request_line(f"GET {url} HTTP/1.1")
        assert client.get(f"{reverse('pathways:beneficiary_list')}?q=Lefèvre").context  # the search finds them
        assert client.get(reverse("pathways:beneficiary_detail", args=[person.pk])).status_code == 200
        assert client.get(reverse("pathways:beneficiary_detail", args=[world.beneficiary.pk])).status_code == 200
        # A page that does not exist, asked with a name in its query string: Django logs a warning.
        assert client.get("/personnes/999999999/?q=Lefèvre").status_code == 404
        dev_server_request_line("GET /personnes/999999999/?q=Lef%C3%A8vre HTTP/1.1", status="404")
        # Declare a rupture of the world's person's stage, with a comment naming them.
        response = client_for(trainer).post(
            reverse("ruptures:rupture_create", args=[world.stage.pk]),
            {
                "kind": "abandon",
                "occurred_on": world.today.isoformat(),
                "main_cause": "conditions.transport",
                "identified_by": "trainer",
                "no_reminder_reason": f"{world.beneficiary.first_name} ne répond plus au {WORLD['phone']}.",
                "comment": f"{world.beneficiary.first_name} {world.beneficiary.last_name} n'a plus de logement.",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        alert = Rupture.objects.get(stage=world.stage).alert
    # Receive the alert: the tasks the flow asked for, run as a worker would; the adviser reads it.
    assert held, "the flow asked for tasks (the alert's delivery)"
    task_arguments = [repr(args) for _path, args in held]
    with django_capture_on_commit_callbacks(execute=True):
        for path, args in dict.fromkeys(held):
            import_string(path)(*args)
    assert mail.outbox, "the alert was e-mailed"
    client = client_for(adviser)
    assert client.get(f"{reverse('alerts:alert_list')}?q={world.beneficiary.last_name}").status_code == 200
    assert client.get(reverse("alerts:alert_detail", args=[alert.pk])).status_code == 200

    markers = personal_markers(world)
    records = [f"{record.name} {record.getMessage()}" for record in caplog.records]
    written = log_output.getvalue()
    assert "GET /personnes/ HTTP/1.1" in written, "the development server's request lines are written, paths only"
    assert "Not Found: /personnes/999999999/" in written
    assert not [m for m in markers if m in written], written
    assert not [(m, r) for r in records for m in markers if m in r]
    # Celery tasks take ids, never names.
    assert not [(m, a) for a in task_arguments for m in markers if m in a]
    # E-mail subjects carry no name (bodies neither: tests/ruptures/test_declare.py).
    assert not [(m, e.subject) for e in mail.outbox for m in markers if m in e.subject]


def test_the_filter_leaves_a_line_without_query_string_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Building %s %s failed", ("attestation", 12), None)
    assert DropQueryStrings().filter(record) is True
    assert record.getMessage() == "Building attestation 12 failed"
    assert drop_query_strings('"GET /a/b/?q=Dupont&x=1 HTTP/1.1" 200 "https://s.fr/p?q=Dupont"') == (
        '"GET /a/b/ HTTP/1.1" 200 "https://s.fr/p"'
    )


def refused_update(world):
    """A real database error about a person: PostgreSQL repeats the refused row (names, e-mail) in its message."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE pathways_beneficiary SET last_name = %s, email = %s, region_id = NULL WHERE id = %s",
                [NEW["last_name"], NEW["email"], world.beneficiary.pk],
            )
    except IntegrityError as error:
        return error
    raise AssertionError("the update was not refused")


@pytest.mark.postgres
def test_a_database_error_in_a_log_or_an_error_report_keeps_no_value_of_the_row(world, log_output):
    require_service(connection.vendor == "postgresql", "PostgreSQL's error details need PostgreSQL (DATABASE_URL)")
    error = refused_update(world)
    assert "Failing row contains" in str(error) and NEW["last_name"] in str(error)  # what PostgreSQL says
    try:
        raise error
    except IntegrityError:
        logging.getLogger("core.documents").exception("Building %s %s failed", "export", 12)
        reporter = get_exception_reporter_class(None)(None, *sys.exc_info())
        report = reporter.get_traceback_text() + reporter.get_traceback_html()
        event = sentry_sdk.utils.event_from_exception(sys.exc_info())[0]
    written = log_output.getvalue()
    assert "Building export 12 failed" in written and "IntegrityError" in written
    assert "Failing row contains (" in written  # the error stays readable, its values gone
    scrubbed = repr(sentry.before_send(event, {}))
    assert "IntegrityError" in scrubbed and "Failing row contains (" in scrubbed
    for marker in ("Lefèvre", "ines.lefevre", world.beneficiary.first_name):
        assert marker not in written, written
        assert marker not in report, marker
        assert marker not in scrubbed, scrubbed


def test_the_values_of_a_unique_violation_are_scrubbed_too():
    assert scrub("DETAIL:  Key (email)=(ines.lefevre@example.org) already exists.") == (
        "DETAIL:  Key (email)=([…]) already exists."
    )
    assert scrub("DETAIL:  Key (lower(last_name::text))=(lefèvre) already exists.") == (
        "DETAIL:  Key (lower(last_name::text))=([…]) already exists."
    )


def crash():
    raise ValueError("boom")


def test_django_error_reports_show_no_query_string_no_form_value_no_variable(world):
    query = urlencode({"q": NEW["last_name"]})
    request = RequestFactory().post(
        f"/personnes/nouvelle/?{query}", {"name": NEW["last_name"], "tel": NEW["phone"]}, HTTP_REFERER=f"/p/?{query}"
    )
    request.user = world.user("prescriber_adviser")
    person = world.beneficiary  # a local variable of the failing frame
    try:
        crash()
    except ValueError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert person and "boom" in text and "/personnes/nouvelle/" in text
    for marker in personal_markers(world):
        assert marker not in text and marker not in html, marker


def test_gunicorn_access_log_format_has_no_query_string_nor_referrer():
    config = import_string("config.gunicorn.access_log_format")
    atoms = set(re.findall(r"%\((\w+)\)s", config))
    assert "U" in atoms and not atoms & {"r", "q", "f"}, atoms
    assert "python:config.gunicorn" in (ROOT / "Dockerfile").read_text()
    assert "python:config.gunicorn" in (ROOT / ".ci" / "production-check").read_text()
