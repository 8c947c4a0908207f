"""The authorization matrix as an adversary (issue 15): besides the expected status of each GET
(`test_authorization_matrix`), every foreign role's POST on the world's objects is refused and writes nothing, no
page shows a name or a free text outside the viewer's scope, and each role sees of an alert what it may.

The world (`tests/conftest.py`) holds two organisations of each kind, two regions, a deactivated member, a person
who refused to share her checklist, and marker strings in the names and free texts of people (`adversaries.secrets`
says who may read each). The URL list and the objects come from the matrix, so a new URL is walked here too.
"""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ADVERSARIES, ADVERSARY_ROLES, SECRET_COMMENT, SECRET_NOTE, SECRET_ZOE
from tests.test_authorization_matrix import MATRIX

# Pages that anyone may read (their objects are public), and the accounts' own pages: not objects of the world.
PUBLIC = {"charter:verify", "charter:basin_signatories", "charter:version_detail", "accounts:password_reset_confirm"}
# What a POST carries: enough fields for most forms, so that a missing check would write something.
PAYLOAD = {
    "kind": "called",
    "note": "Note d'un intrus",
    "reason": "Motif d'un intrus",
    "comment": "Commentaire d'un intrus",
    "message": "Message d'un intrus",
    "skills": "Compétence d'un intrus",
    "date": "",
    "email": "intrus@example.org",
    "first_name": "Intrus",
    "last_name": "Intrus",
    "role": "trainer",
    "decision": "accept",
    "consent": "yes",
    "scope": "both",
    # An organisation's second-factor setting, confirmed.
    "required": "1",
    "confirm": "on",
    # A region's retention durations (months).
    "pathway": "1",
    "documents": "1",
}
# Tables a refused request may touch without writing anything about the world: the login session.
VOLATILE = {"sessions.Session"}


def snapshot():
    """Every row of every table (the world is small): a request that writes anything changes it."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in VOLATILE and model._meta.managed
    }


def object_urls(world):
    """(name, url) of every matrix URL about an object of the world (those with arguments), public pages aside."""
    for name, (kwargs, _expected) in MATRIX.items():
        if kwargs is None or name in PUBLIC:
            continue
        yield name, reverse(name, args=kwargs(world))


def adversary_urls(adversaries):
    """Pages about the adversaries' own people and the refused checklist: out of scope for most roles."""
    return [
        adversaries.alert.get_absolute_url(),
        adversaries.other_body_pathway.get_absolute_url(),
        adversaries.other_region_pathway.get_absolute_url(),
        adversaries.refused_checklist.get_absolute_url(),
    ]


@pytest.mark.parametrize("role", ["outsider", *ADVERSARIES])
def test_a_foreign_role_posts_nothing_on_the_worlds_objects(world, adversaries, client_for, role):
    client = client_for(world.user(role))
    urls = list(object_urls(world))
    before = snapshot()
    failures = []
    for name, url in urls:
        response = client.post(url, PAYLOAD)
        # 404 outside scope, 403 read-only, 405 a page that takes no POST: none of them writes. The partner API takes
        # no session: 401 (its foreign tokens are tried in tests/api/).
        refused = (401,) if url.startswith("/api/v1/") else (403, 404, 405)
        if response.status_code not in refused:
            failures.append(f"{name} {url}: {response.status_code}")
    after = snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert not failures, "\n".join(failures)
    assert not changed, f"{role}'s refused POSTs wrote in: {changed}"


@pytest.mark.parametrize("role", [r for r in ADVERSARY_ROLES if r != "anonymous"])
def test_no_page_shows_a_name_or_a_text_out_of_the_viewers_scope(world, adversaries, client_for, role):
    client = client_for(world.user(role))
    forbidden = [marker for marker, readers in adversaries.secrets.items() if role not in readers]
    urls = [reverse(name, args=kwargs(world) if kwargs else None) for name, (kwargs, _expected) in MATRIX.items()]
    urls += adversary_urls(adversaries)
    leaks, pages = [], 0
    for url in urls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page, and the fragment htmx asks for
            response = client.get(url, **headers)
            if response.status_code != 200 or response.streaming:
                if response.streaming:
                    b"".join(response.streaming_content)
                continue
            pages += 1
            body = response.content.decode(errors="replace")
            leaks += [f"{url}: {marker}" for marker in forbidden if marker in body]
    assert pages > 10, "the walk read almost nothing"
    assert not leaks, "\n".join(sorted(set(leaks)))


@pytest.mark.parametrize(
    ("role", "status", "reads"),
    [
        ("trainer", 200, {SECRET_ZOE, SECRET_COMMENT, SECRET_NOTE}),
        ("prescriber_adviser", 200, {SECRET_ZOE, SECRET_COMMENT, SECRET_NOTE}),
        ("legal_representative", 200, {SECRET_ZOE, SECRET_COMMENT, SECRET_NOTE}),
        ("regional_officer", 200, {SECRET_ZOE}),  # the stage's funder: the person, no free text
        ("other_funder_officer", 404, set()),
        ("basin_coordinator", 404, set()),
        ("facilitator", 404, set()),
        ("dpo", 404, set()),
        ("outsider", 404, set()),
        ("other_adviser", 404, set()),
        ("other_region_manager", 404, set()),
        ("deactivated_trainer", 404, set()),
        ("admin", 404, set()),
    ],
)
def test_what_each_role_sees_of_an_alert(world, adversaries, client_for, role, status, reads):
    response = client_for(world.user(role)).get(adversaries.alert.get_absolute_url())
    assert response.status_code == status
    body = response.content.decode()
    for marker in (SECRET_ZOE, SECRET_COMMENT, SECRET_NOTE):
        assert (marker in body) == (marker in reads), marker


def test_the_deactivated_member_keeps_nothing(world, adversaries, client_for):
    """They were told about Zoé and had a to-do for her: both are still in the database, neither is readable."""
    client = client_for(world.user("deactivated_trainer"))
    for name in ("notifications:inbox", "notifications:todo_list", "alerts:alert_list", "pathways:home"):
        body = client.get(reverse(name)).content.decode()
        assert SECRET_ZOE not in body, name
    assert client.get(world.pathway.get_absolute_url()).status_code == 404
    assert world.user("deactivated_trainer").todos.filter(due_on=timezone.localdate()).exists()
