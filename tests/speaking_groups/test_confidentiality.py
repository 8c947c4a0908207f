"""Confidentiality is a tested property (issue 17, NEUTRALITÉ): the marker walk.

A world with two support structures and two training bodies, each body hosting a group of one structure, holds a
unique marker in every note field (workshop, drop-in booking, hotline call, network contact, post-rupture case and its
entries) and in the names of the people who only attended a drop-in or only called the hotline. Then every other role
crawls the whole site (`tests/crawl.py`: the home page, every URL without argument, and every link, htmx fragment, form
action and download found on the way) and no marker may appear in a page, a fragment, a PDF or a spreadsheet:

- a structure's notes are read by its own active facilitators only;
- the names of the drop-in-only and hotline-only people are read by nobody outside their scope (a trainer of their
  session knows them as learners: for these roles, the names are absent from every speaking-group page);
- nothing reaches the outbox (notification parameters and links, to-do titles and contexts, e-mails, SMS), the admin
  or the audit log, and the notes are encrypted in the database.

The facilitator of the structure crawls too: the markers they find prove the walk reaches the pages that show notes.
"""

import datetime
import importlib
import json
import time

import pytest
from auditlog.registry import auditlog
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import Notification, Todo
from pathways.models import Membership, Pathway, Session, Stage
from pathways.services.memberships import membership_deactivate
from speaking_groups import models as sg
from speaking_groups.services.groups import workshop_attendance_set, workshop_create, workshop_notes_save
from tests.conftest import _member
from tests.crawl import crawl
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

Role = Membership.Role

# One marker per note field of each structure (the world's, "A", and the other one, "B").
NOTE_FIELDS = {
    "workshop": (sg.Workshop, "notes"),
    "booking": (sg.DropInBooking, "notes"),
    "hotline": (sg.HotlineCall, "notes"),
    "hotline_anonymous": (sg.HotlineCall, "notes"),
    "network": (sg.NetworkContact, "notes"),
    "case": (sg.PostRuptureCase, "notes"),
    "entry": (sg.CaseEntry, "text"),
}
NOTES_A = {key: f"MRQNOTEA{key.upper().replace('_', '')}Q" for key in NOTE_FIELDS}
NOTES_B = {key: f"MRQNOTEB{key.upper().replace('_', '')}Q" for key in ("workshop", "booking", "hotline")}
# The names of the people only the support structure knows as its visitors.
DROP_IN_ONLY = ("Mrqprenompermanence", "MRQNOMPERMANENCEQ")
HOTLINE_ONLY = ("Mrqprenomhotline", "MRQNOMHOTLINEQ")
NAMES = [*DROP_IN_ONLY, *HOTLINE_ONLY]

# Every role that is not an active facilitator of the world's structure (the pathway's referent is the prescriber's
# adviser; the pedagogical manager co-runs the group), the deactivated facilitator, and an anonymous visitor.
CRAWLERS = [
    "trainer",
    "pedagogical_manager",
    "org_manager",
    "dpo",
    "legal_representative",
    "prescriber_adviser",
    "regional_officer",
    "basin_coordinator",
    "other_funder_officer",
    "outsider",
    "other_facilitator",
    "deactivated_facilitator",
    "admin",
    "anonymous",
]
# The audit log's admin shows the history of the reference data only, never a person's records (pathways/admin.py):
# the platform administrator read every person's name there, the drop-in-only and hotline-only people included,
# until the walk found it (`test_the_audit_log_admin_shows_no_visitor_name`).
MAX_URLS = 2000
# Every speaking-group page and every person's page is read; other routes, a few of each (`tests/crawl.py`).
ROUTE_LIMITS = {
    "speaking_groups": 100,
    "pathways:pathway_detail": 50,
    "pathways:beneficiary_detail": 50,
    "ruptures": 30,
    "alerts": 30,
}


def walk(client):
    return crawl(client, max_urls=MAX_URLS, route_limits=ROUTE_LIMITS, fragments_under=["/groupes-de-parole/"])


def _service(module: str, name: str):
    """A service of another slice of issue 17 when it has landed (the walk then goes through it), else None."""
    try:
        return getattr(importlib.import_module(f"speaking_groups.services.{module}"), name)
    except (ImportError, AttributeError):
        return None


def _through_services(world, group, slot, stage, facilitator, today):
    """What the other slices send out when their services are there: the person's drop-in confirmation (e-mail and
    SMS) and the referent told of a share."""
    booking_create, occurrences = _service("dropins", "booking_create"), _service("dropins", "occurrences")
    if booking_create and occurrences:
        date = next(iter(occurrences(slot, today + datetime.timedelta(days=1), today + datetime.timedelta(days=21))))
        booking_create(
            slot=slot, by=facilitator, date=date, stage=stage, requested_via="phone", agreement_recorded=True
        )
    referent_share = _service("support", "referent_share")
    if referent_share:
        referent_share(
            by=facilitator,
            stage=world.stage,
            support_organisation=world.support,
            summary="Un rendez-vous avec une assistante sociale est pris.",
            consent_given=True,
            consent_on=today,
            consent_scope="Le rendez-vous",
        )


def _person(first_name, last_name, *, world, session, organisation, referent, prescriber):
    pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(
            region=world.region,
            commune=world.commune,
            first_name=first_name,
            last_name=last_name,
            email=f"{last_name.lower()}@example.org",
            phone="0612345678",
        ),
        referent=referent,
        opened_by=prescriber,
        prescribing_organisation=prescriber,
        prescribing_adviser=referent,
    )
    start = world.stage.actual_start
    stage = StageFactory(
        pathway=pathway,
        organisation=organisation,
        status=Stage.Status.IN_PROGRESS,
        actual_start=start,
        planned_start=start,
    )
    EnrolmentFactory(stage=stage, session=session)
    return stage


def _slot(group, by, today):
    return sg.DropInSlot.objects.create(
        group=group,
        weekday=today.weekday() if today.weekday() < 6 else 0,
        start_time=datetime.time(10),
        duration_minutes=30,
        place="Salle 2",
        capacity=4,
        starts_on=today - datetime.timedelta(days=30),
        created_by=by,
    )


def _booking(slot, stage, by, date, notes, status=sg.DropInBooking.Status.ATTENDED):
    return sg.DropInBooking.objects.create(
        slot=slot,
        date=date,
        stage=stage,
        requested_via=sg.DropInBooking.RequestedVia.PHONE,
        agreement_recorded=True,
        status=status,
        notes=notes,
        booked_by=by,
    )


def _call(support, group, by, notes, stage=None):
    return sg.HotlineCall.objects.create(
        support_organisation=support,
        group=group,
        called_at=timezone.now() - datetime.timedelta(days=1),
        duration_minutes=12,
        topic=sg.CauseFamily.CONDITIONS,
        urgency=sg.HotlineCall.Urgency.MEDIUM,
        outcome=sg.HotlineCall.Outcome.LISTENED,
        stage=stage,
        notes=notes,
        logged_by=by,
    )


@pytest.fixture
def confidential(world, adversaries, settings, tmp_path):
    """The world and its adversaries, plus everything a support structure keeps (see the module's docstring)."""
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    today = world.today
    yesterday = today - datetime.timedelta(days=1)
    facilitator = world.user("facilitator")
    other_facilitator = world.user("other_facilitator")
    co_facilitator = world.user("pedagogical_manager")

    # A second facilitator of the world's structure, deactivated.
    departed = _member(world.support, Role.FACILITATOR)
    world.users["deactivated_facilitator"] = departed.user
    world.memberships["deactivated_facilitator"] = departed

    # The world's group: its structure on the world's session, co-run by the pedagogical manager.
    group = sg.SpeakingGroup.objects.create(
        support_organisation=world.support,
        training_body=world.training_body,
        name="Groupe ADVF Cenon",
        co_facilitator=co_facilitator,
        created_by=facilitator,
    )
    group.sessions.add(world.session)
    group.facilitators.add(facilitator, departed.user)
    # People known only through the structure: one came to a drop-in, one called the hotline.
    drop_in_only = _person(
        *DROP_IN_ONLY,
        world=world,
        session=world.session,
        organisation=world.training_body,
        referent=world.user("prescriber_adviser"),
        prescriber=world.prescriber,
    )
    hotline_only = _person(
        *HOTLINE_ONLY,
        world=world,
        session=world.session,
        organisation=world.training_body,
        referent=world.user("prescriber_adviser"),
        prescriber=world.prescriber,
    )
    workshop = workshop_create(
        group=group,
        by=facilitator,
        session=world.session,
        date=max(world.session.start_date, yesterday),
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        theme="Trouver sa place dans le groupe",
    )
    if workshop.date <= today:
        workshop_attendance_set(workshop=workshop, by=facilitator, stages=[world.stage])
    workshop_notes_save(workshop=workshop, by=facilitator, notes=NOTES_A["workshop"])
    upcoming = workshop_create(
        group=group,
        by=facilitator,
        session=world.session,
        date=min(world.session.end_date, today + datetime.timedelta(days=7)),
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        theme="Préparer le stage en entreprise",
    )
    slot = _slot(group, facilitator, today)
    _booking(slot, drop_in_only, facilitator, yesterday, NOTES_A["booking"])
    _booking(slot, world.stage, facilitator, today + datetime.timedelta(days=7), "", sg.DropInBooking.Status.BOOKED)
    _through_services(world, group, slot, drop_in_only, facilitator, today)
    _call(world.support, group, facilitator, NOTES_A["hotline"], stage=hotline_only)
    _call(world.support, None, facilitator, NOTES_A["hotline_anonymous"])
    sg.NetworkContact.objects.create(
        support_organisation=world.support,
        stage=world.stage,
        service=sg.NetworkContact.Service.HOUSING,
        service_name="CCAS de Cenon",
        contacted_on=yesterday,
        notes=NOTES_A["network"],
        logged_by=facilitator,
    )
    case = sg.PostRuptureCase.objects.create(
        rupture=adversaries.alert.rupture,
        support_organisation=world.support,
        requested_by_person=True,
        opened_by=facilitator,
        notes=NOTES_A["case"],
        outcome=sg.PostRuptureCase.Outcome.OTHER_TRAINING,
        outcome_on=today,
        outcome_by=facilitator,
    )
    sg.CaseEntry.objects.create(
        case=case, kind=sg.CaseEntry.Kind.CONTACT, on=yesterday, text=NOTES_A["entry"], by=facilitator
    )
    feedback = sg.FeedbackItem.objects.create(
        group=group, theme=sg.FeedbackItem.Theme.PACE, text="Le rythme des modules est soutenu.", written_by=facilitator
    )
    sg.FeedbackReply.objects.create(
        item=feedback, text="Une demi-journée de révision ajoutée.", written_by=co_facilitator
    )
    sg.ReferentShare.objects.create(
        stage=world.stage,
        support_organisation=world.support,
        recipient=world.user("prescriber_adviser"),
        summary="Une solution de garde est trouvée.",
        consent_on=today,
        consent_scope="La solution de garde",
        shared_by=facilitator,
    )

    # The other structure's group on the other training body's session.
    other_stage = adversaries.other_body_pathway.stages.get()
    other_session = Session.objects.get(enrolments__stage=other_stage)
    other_group = sg.SpeakingGroup.objects.create(
        support_organisation=adversaries.other_support,
        training_body=world.other_training_body,
        name="Groupe Autre OF",
        created_by=other_facilitator,
    )
    other_group.sessions.add(other_session)
    other_group.facilitators.add(other_facilitator)
    sg.Workshop.objects.create(
        group=other_group,
        session=other_session,
        date=max(other_session.start_date, yesterday),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        theme="Atelier de l'autre structure",
        notes=NOTES_B["workshop"],
        created_by=other_facilitator,
    )
    other_slot = _slot(other_group, other_facilitator, today)
    _booking(other_slot, other_stage, other_facilitator, yesterday, NOTES_B["booking"])
    _call(adversaries.other_support, other_group, other_facilitator, NOTES_B["hotline"], stage=other_stage)

    membership_deactivate(membership=departed, by=facilitator, referents={}, advisers={})
    return {"group": group, "workshop": workshop, "upcoming": upcoming, "other_group": other_group, "case": case}


def forbidden_markers(world, role) -> tuple[set[str], set[str]]:
    """(markers `role` may read nowhere, markers `role` may not read on a speaking-group page)."""
    everywhere = set(NOTES_A.values()) | set(NOTES_B.values())
    if role == "other_facilitator":
        everywhere -= set(NOTES_B.values())
    user = world.user(role)
    in_scope = set()
    if user is not None:
        for first, last in (DROP_IN_ONLY, HOTLINE_ONLY):
            if Pathway.objects.for_user(user).filter(beneficiary__last_name=last).exists():
                in_scope |= {first, last}
    everywhere |= set(NAMES) - in_scope
    return everywhere, set(NAMES)


def leaks(pages, markers):
    found = []
    for page in pages:
        text = page.text.lower()
        found += [f"{page.url}{' (htmx)' if page.htmx else ''}: {m}" for m in markers if m.lower() in text]
    return found


@pytest.mark.parametrize("role", CRAWLERS)
def test_no_marker_reaches_another_role(world, adversaries, confidential, client_for, role):
    everywhere, on_group_pages = forbidden_markers(world, role)
    started = time.monotonic()
    result = walk(client_for(world.user(role)))
    group_pages = [page for page in result.pages if page.url.startswith("/groupes-de-parole/")]
    found = leaks(result.pages, everywhere) + leaks(group_pages, on_group_pages)
    print(  # noqa: T201 - the per-role count the brief asks for (pytest -s)
        f"crawl {role}: {len(result.pages)} URLs asked, {len(result.read)} read, "
        f"{len(group_pages)} speaking-group pages, {time.monotonic() - started:.1f}s, skipped {dict(result.skipped)}"
    )
    assert len(result.pages) < MAX_URLS, "the walk hit its bound: raise it or bound a route"
    if role != "anonymous":
        assert len(result.read) > 10, "the walk read almost nothing"
    assert not found, "\n".join(sorted(set(found)))


def test_the_audit_log_admin_shows_no_visitor_name(world, adversaries, confidential, client_for):
    result = crawl(client_for(world.user("admin")), start=["/admin/auditlog/logentry/"], max_urls=100)
    assert not leaks(result.pages, NAMES)


def test_the_walk_reaches_the_notes_as_the_structures_facilitator(world, adversaries, confidential, client_for):
    """The structure's own facilitator finds its notes (so the walk reaches note pages) and never the other
    structure's."""
    result = walk(client_for(world.user("facilitator")))
    assert not leaks(result.pages, NOTES_B.values())
    found = {marker for marker in NOTES_A.values() if leaks(result.read, [marker])}
    print(f"crawl facilitator: {len(result.pages)} URLs asked, notes found: {sorted(found)}")  # noqa: T201
    assert NOTES_A["workshop"] in found
    assert any(page.url.startswith("/groupes-de-parole/") for page in result.read)


def test_the_other_structures_facilitator_reads_its_own_notes_only(world, adversaries, confidential, client_for):
    result = walk(client_for(world.user("other_facilitator")))
    assert not leaks(result.pages, [*NOTES_A.values(), *NAMES])


# ---------------------------------------------------------------------------------------------------------------
# The outbox, the admin, the audit log, the database


def all_markers():
    return [*NOTES_A.values(), *NOTES_B.values(), *NAMES]


def test_no_marker_in_notifications_todos_emails_or_sms(world, adversaries, confidential, settings, mailoutbox):
    from notifications.services import deliver_cause

    for cause in Notification.objects.filter(status=Notification.Status.PENDING).values_list("cause_key", flat=True):
        deliver_cause(cause)
    markers = [m.lower() for m in all_markers()]
    texts = []
    for row in Notification.objects.all():
        texts.append((f"notification {row.pk} {row.kind}", json.dumps(row.params, ensure_ascii=False) + row.url))
    for todo in Todo.objects.all():
        texts.append((f"todo {todo.pk}", f"{todo.title} {todo.context} {todo.url}"))
    for email in mail.outbox:
        bodies = [email.subject, email.body, *(content for content, _kind in getattr(email, "alternatives", []))]
        texts.append((f"e-mail to {email.to}", "\n".join(bodies)))
    try:
        with open(settings.SMS_FILE_PATH, encoding="utf-8") as sms_file:
            for line in sms_file:
                texts.append(("sms", json.loads(line)["body"]))
    except FileNotFoundError:
        pass
    found = [f"{where}: {m}" for where, text in texts for m in markers if m in text.lower()]
    assert texts, "nothing to check: the world made no notification"
    if _service("dropins", "booking_create"):  # the person's confirmation went out, without a marker
        assert any("mrqnompermanenceq@example.org" in email.to for email in mail.outbox)
    assert not found, "\n".join(found)


CONFIDENTIAL_MODELS = [
    sg.Workshop,
    sg.WorkshopAttendance,
    sg.DropInSlot,
    sg.DropInBooking,
    sg.HotlineCall,
    sg.NetworkContact,
    sg.PostRuptureCase,
    sg.CaseEntry,
    sg.ReferentShare,
]


@pytest.mark.parametrize("model", CONFIDENTIAL_MODELS, ids=lambda m: m.__name__)
def test_the_confidential_models_are_in_no_admin_and_no_audit_log(model):
    assert model not in admin.site._registry
    assert not auditlog.contains(model)


def test_no_speaking_group_model_is_in_the_admin_or_the_audit_log():
    from django.apps import apps

    for model in apps.get_app_config("speaking_groups").get_models():
        assert model not in admin.site._registry, model
        assert not auditlog.contains(model), model


def test_the_notes_are_encrypted_in_the_database(world, adversaries, confidential):
    for key, (model, column) in NOTE_FIELDS.items():
        marker = NOTES_A[key]
        assert any(getattr(row, column) == marker for row in model.objects.all()), f"{key}: the marker was not saved"
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "{column}" FROM "{model._meta.db_table}"')  # noqa: S608 - names from the models
            raw = [value for (value,) in cursor.fetchall() if value]
        assert raw, f"{key}: no note in the table"
        assert not [value for value in raw if marker.lower() in value.lower()], f"{key}: the note is in clear"
