"""The access log covers every page that shows a person (issue 20, "Traceability of personal data").

The person-data URLs are found systematically: every URL of the project (the resolver, through the authorization
matrix, which holds an entry for each) is read by every role the matrix lets in (a 200), on a world where people are
named on every kind of page (the inbox, speaking groups' workshops, drop-in hours, hotline, network work, shared
summaries, post-rupture cases, commissions). Each person named on a page, whoever they are, must have exactly one
access log row for that request, with the page's URL name; a page's CSV and Excel exports likewise (as exports). A
file that cannot be read for names (a PDF) must log its person, unless listed in NAMING_NOBODY. Pages listed in
NOT_LOGGED are the known exceptions, each with its reason. Polling (an htmx GET) writes nothing. Every page that
wrote a row has a label in words (`accounts.access_log.register_view_labels`): advisers and DPOs read « Fiche de la
personne », not `pathways:beneficiary_detail`.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.access_log import has_view_label
from accounts.models import AccessLog
from pathways.models import Beneficiary
from tests.conftest import ADVERSARY_ROLES
from tests.test_authorization_matrix import (
    MATRIX,
    charter_signature,
    declared_alert,
    ready_list_export,
    world_case,
    world_checklist,
    world_dropin_booking,
    world_meeting,
    world_share,
    world_workshop,
)

# Every role that logs in: each sees people through a different way (or sees none, and must then log none).
READERS = [role for role in ADVERSARY_ROLES if role != "anonymous"]

# Pages that show a person's name and write no access log row to some roles, and why.
NOT_LOGGED = {
    # The join requests sent by the outsider's organisation show the name its requester typed, not the record (the
    # referent, who answers them, reads the record's name: logged).
    "pathways:join_request_list": ({"outsider"}, "a sent join request shows the name typed by the requester"),
}

# Files that name nobody (their content cannot be read for names here), and why.
NAMING_NOBODY = {
    "charter:signature_download": "a signed charter names the organisation and its signatory, no person",
    "commissions:report_download": "the matrix's report is the wide-distribution version, which names nobody "
    "(the members' version: tests/commissions/test_access_log.py)",
}

# Pages polled by htmx while something is built or awaited: the poll is not a read.
POLLED = [
    ("alerts:alert_list", None, "prescriber_adviser"),
    ("alerts:alert_badge", None, "prescriber_adviser"),
    ("attendance:statements", lambda w: [w.session.pk], "trainer"),
    ("checklist:detail", lambda w: [world_checklist(w).pk], "trainer"),  # its PDFs being built
    ("commissions:report_list", lambda w: [world_meeting(w).pk], "prescriber_adviser"),  # a report being built
    ("pathways:list_export_detail", lambda w: [ready_list_export(w).pk], "trainer"),  # a long export being built
    ("charter:signature_detail", lambda w: [charter_signature(w).pk], "legal_representative"),  # its signed copy
]


def named_everywhere(world):
    """People named on every kind of page: an alert about the world's person (the inbox), and a second person
    enrolled in the matrix's speaking group's session, who booked a drop-in appointment, attended its workshop, called
    the hotline, has network work logged and a post-rupture case of the structure beside her."""
    from speaking_groups.models import HotlineCall, NetworkContact, WorkshopAttendance

    declared_alert(world)  # an alert about the world's person: the inbox names them
    world.notification.stage = world.stage  # as a real notification about a stage's transition
    world.notification.save(update_fields=["stage"])
    world_case(world)
    world_share(world)
    stage = world_dropin_booking(world).stage
    WorkshopAttendance.objects.create(workshop=world_workshop(world), stage=stage)
    HotlineCall.objects.create(
        support_organisation=world.support,
        called_at=timezone.now(),
        duration_minutes=10,
        topic="content",
        outcome=HotlineCall.Outcome.LISTENED,
        stage=stage,
    )
    NetworkContact.objects.create(
        support_organisation=world.support,
        stage=stage,
        service=NetworkContact.Service.HOUSING,
        service_name="Foyer de la matrice",
        contacted_on=world.today,
    )


def _body(response) -> tuple[str, str]:
    """(what a reader finds in the answer, its content type): the text of a page or CSV, the cells of an XLSX."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content[:2] == b"PK":  # an XLSX (a zip): its sheets and shared strings
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()), kind
    return content.decode("utf-8", "replace"), kind


def _people_named(text, people) -> set[int]:
    """The people whose name (as the app writes it, "Zoé MARTIN", escaped or not) is in `text`."""
    return {pk for pk, name in people if name in text or escape(name) in text}


def _check(url_name, role, response, new_rows, people, failures):
    text, kind = _body(response)
    rows = list(new_rows.values_list("view_name", "beneficiary_id"))
    for view_name, _person in rows:
        if view_name != url_name:
            failures.append(f"{url_name}: a row names another page, {view_name}")
    counted = [person for _view, person in rows]
    if len(counted) != len(set(counted)):
        failures.append(f"{url_name}: several rows for one person in one request")
    if "pdf" in kind:
        if url_name not in NAMING_NOBODY and not counted:
            failures.append(f"{url_name}: a PDF about a person writes no row")
        return
    if role in NOT_LOGGED.get(url_name, ((), ""))[0]:
        return
    missing = _people_named(text, people) - set(counted)
    if missing:
        names = dict(people)
        failures.append(f"{url_name}: names {sorted(names[pk] for pk in missing)} without a row")


def _unlabelled_pages() -> list[str]:
    """The pages that wrote a row (in this test) and have no label in words for the readers of the log."""
    written = AccessLog.objects.values_list("view_name", flat=True).distinct()
    return [
        f"{name}: writes the access log but has no label (register_view_labels)"
        for name in written
        if not has_view_label(name)
    ]


@pytest.mark.parametrize("role", READERS)
def test_every_page_naming_people_writes_one_row_per_person(world, adversaries, client_for, role):
    named_everywhere(world)
    client = client_for(world.user(role))
    failures = []
    for url_name, (kwargs, expected) in MATRIX.items():
        if expected[role] != 200:
            continue
        url = reverse(url_name, args=kwargs(world) if kwargs else None)
        people = [(b.pk, b.full_name) for b in Beneficiary.objects.all()]
        last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        if response.status_code != 200:  # some pages redirect once the matrix's objects exist (the charter's index)
            if response.streaming:
                b"".join(response.streaming_content)
            continue
        page_has_exports = not response.streaming and b"list-exports" in response.content
        _check(url_name, role, response, AccessLog.objects.filter(pk__gt=last), people, failures)
        if not page_has_exports:
            continue
        for fmt in ("csv", "xlsx"):
            last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = client.get(url, {"export": fmt})
            if response.status_code != 200 or "html" in response.get("Content-Type", ""):
                continue  # a long export is built by a worker (its progress page names nobody)
            new = AccessLog.objects.filter(pk__gt=last)
            if new.exclude(action=AccessLog.Action.EXPORT).exists():
                failures.append(f"{url_name} ({fmt}): an export logged as something else than an export")
            _check(url_name, role, response, new, people, failures)
    failures += _unlabelled_pages()
    assert not failures, "\n".join(failures)


def test_the_walk_sees_people_on_the_pages_of_each_way_of_seeing_them(world, adversaries, client_for):
    """The walk would catch a page that forgets the log: the world names people on the pages of the referent, the
    training body, the funder's officer and the facilitator (a page named here that names nobody makes the walk
    above check less than it says)."""
    named_everywhere(world)
    people = [(b.pk, b.full_name) for b in Beneficiary.objects.all()]
    for role, url_name, kwargs in [
        ("prescriber_adviser", "alerts:alert_list", None),
        ("prescriber_adviser", "speaking_groups:support_share_list", None),
        ("trainer", "attendance:sheet", lambda w: [w.session.pk, w.today.isoformat()]),
        ("regional_officer", "alerts:alert_list", None),
        ("facilitator", "speaking_groups:workshop_detail", lambda w: [world_workshop(w).pk]),
        ("facilitator", "speaking_groups:support_hotline", None),
        ("facilitator", "speaking_groups:support_network_list", None),
        ("facilitator", "speaking_groups:case_list", None),
        ("facilitator", "speaking_groups:dropin_slot_detail", lambda w: [world_dropin_booking(w).slot_id]),
    ]:
        response = client_for(world.user(role)).get(reverse(url_name, args=kwargs(world) if kwargs else None))
        assert response.status_code == 200, url_name
        assert _people_named(_body(response)[0], people), f"{url_name} names nobody for {role}"


def test_the_not_logged_and_file_exceptions_still_exist():
    assert set(NOT_LOGGED) <= set(MATRIX)
    assert set(NAMING_NOBODY) <= set(MATRIX)


def test_every_api_read_writes_one_row_per_person(world, client):
    """The partner API: each list and object it answers writes one row per person it holds, with its URL name."""
    from api.services import token_create

    declared_alert(world)
    _token, secret = token_create(organisation=world.training_body, name="Walk", by=world.user("org_manager"))
    failures = []
    for url_name, (kwargs, _expected) in MATRIX.items():
        if not url_name.startswith("api:") or url_name in ("api:schema", "api:docs", "api:stage-declare-rupture"):
            continue
        if not url_name.endswith(("-list", "-detail")):
            continue
        last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(
            reverse(url_name, args=kwargs(world) if kwargs else None), headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, url_name
        rows = list(AccessLog.objects.filter(pk__gt=last).values_list("view_name", "beneficiary_id"))
        people = [person for _view, person in rows]
        if world.beneficiary.pk not in people:
            failures.append(f"{url_name}: the world's person is not logged")
        if len(people) != len(set(people)) or {view for view, _person in rows} != {url_name}:
            failures.append(f"{url_name}: rows {rows}")
    failures += _unlabelled_pages()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("url_name", "kwargs", "role"), POLLED)
def test_polling_writes_no_access_log(world, client_for, url_name, kwargs, role):
    declared_alert(world)
    client = client_for(world.user(role))
    url = reverse(url_name, args=kwargs(world) if kwargs else None)
    before = AccessLog.objects.count()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert AccessLog.objects.count() == before
