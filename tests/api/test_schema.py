"""The OpenAPI schema is valid, the documentation page holds the strict CSP, and a property-based fuzz of every
operation of the schema (schemathesis) finds no server error."""

import contextlib

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.api.conftest import make_token


def test_the_schema_is_valid_openapi_and_describes_every_operation(world, client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # drf-spectacular's validation against the OpenAPI 3 JSON schema
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == {
        ("get", "/api/v1/pathways/"),
        ("get", "/api/v1/pathways/{id}/"),
        ("get", "/api/v1/stages/"),
        ("get", "/api/v1/stages/{id}/"),
        ("post", "/api/v1/stages/{id}/ruptures/"),
        ("get", "/api/v1/ruptures/"),
        ("get", "/api/v1/ruptures/{id}/"),
        ("get", "/api/v1/alerts/"),
        ("get", "/api/v1/alerts/{id}/"),
    }
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_the_documentation_page_lists_the_operations_under_the_strict_csp(world, client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert "/api/v1/stages/{id}/ruptures/" in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_api_answers_carry_the_security_headers_and_are_not_stored(world, api_client, body_token):
    _token, secret = body_token
    response = api_client(secret).get("/api/v1/pathways/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["Content-Type"] == "application/json"
    refused = api_client().get("/api/v1/pathways/")  # no token: the answer is not stored either
    assert refused.status_code == 401 and "no-store" in refused["Cache-Control"]


# --------------------------------------------------------------------------------------------------------------
# The fuzz: every operation, valid and invalid data (schemathesis' positive and negative modes), with a token of the
# world's training body (it may declare); a bounded number of examples so that it runs in well under a minute.
EXAMPLES = 25


@pytest.mark.fuzz
def test_fuzzing_every_operation_finds_no_server_error(adversaries, world, settings):
    import schemathesis
    from schemathesis.generation import GenerationMode

    settings.API_RATE_LIMIT = "100000/hour"
    _token, secret = make_token(world, world.training_body)
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    app = WSGIHandler()
    headers = {"Authorization": f"Bearer {secret}"}
    failures = []
    statuses = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    # Ids of real objects too, so that the fuzz reaches the scoped objects and the declaration, not only 404s.
    known_ids = st.sampled_from([world.pathway.pk, world.stage.pk, adversaries.alert.pk, adversaries.alert.rupture.pk])
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if "{id}" in operation.path:
                strategy = st.tuples(strategy, st.one_of(known_ids, st.none())).map(_with_id)

            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                response = case.call(app=app, headers=headers)
                statuses.add(response.status_code)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} {case.body!r}: {response.status_code}"
                    )

            with _connections_kept_open():
                run()
    assert not failures, "\n".join(failures[:20])
    assert {200, 400, 404} <= statuses, statuses  # the fuzz reached objects, refusals and misses


@contextlib.contextmanager
def _connections_kept_open():
    """Django's WSGI application closes the database connection at the start and end of each request; called in
    this thread, it must keep the test's connection (and transaction) open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _with_id(pair):
    case, known = pair
    if known is not None and case.path_parameters is not None:
        case.path_parameters["id"] = known
    return case
