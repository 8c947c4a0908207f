"""Saving a whole session-day sheet: 30 people × 2 half-days, one POST through the real view.

A trainer of a training body saves the sheet of today (the latest day of the calendar up to today) 20 times to
warm up, then 200 times timed; every save moves every one of the 60 cells to another status, so each POST really
writes 60 marks and 60 change records, and enqueues the rule evaluation on Redis, as in production. The versions
posted are the ones in the database (read between posts, outside the timed region), so no save meets a conflict;
each response is checked to report 60 saved cells and no conflict or error.

The data is built once in the bench database and reused (found by its training action); the marks of the session
are removed at the start of each run, so every run starts from the same empty sheet.
"""

import datetime
import statistics
import sys
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from attendance.models import Mark, Slot
from attendance.services import calendar_generate, sheet_stages
from bench import Metric, percentile
from pathways.models import (
    Basin,
    Beneficiary,
    Enrolment,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Region,
    Session,
    Stage,
    TrainingAction,
)
from pathways.services.people import name_key

PEOPLE = 30
WARM_UP = 20
SAVES = 200
P95_TARGET_MS = 150
QUERIES_TARGET = 10
TITLE = "Banc d'essai — feuille d'émargement"
# Each save moves every cell one step along this cycle (neighbouring cells start at different steps).
CYCLE = [
    (Mark.Status.PRESENT, ""),
    (Mark.Status.LATE, ""),
    (Mark.Status.ABSENT_JUSTIFIED, Mark.Reason.ILLNESS),
    (Mark.Status.ABSENT_UNJUSTIFIED, ""),
    (Mark.Status.EXCUSED, ""),
]
FIRST_NAMES = ["Inès", "Karim", "Zoé", "Lucas", "Aïcha", "Hugo", "Léa", "Mamadou", "Chloé", "Yanis"]
LAST_NAMES = ["Martin", "Benali", "Lefèvre", "Nguyen", "Diallo", "Moreau", "Garcia", "Roux", "Fontaine", "Perrin"]


def _user(email: str, first_name: str, last_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name, language="fr")
    return user


@transaction.atomic
def build(today: datetime.date) -> tuple[User, Session]:
    """The training body, its trainer, and a session running every day around `today` with PEOPLE people in
    progress. Idempotent: what exists is reused, what is missing is added."""
    region, _ = Region.objects.get_or_create(code="75", defaults={"name": "Nouvelle-Aquitaine"})
    basin, _ = Basin.objects.get_or_create(code="BANC", defaults={"region": region, "name": "Bassin du banc d'essai"})
    body, _ = Organisation.objects.get_or_create(
        name="Organisme du banc d'essai", kind=Organisation.Kind.TRAINING_BODY, defaults={"region": region}
    )
    prescriber, _ = Organisation.objects.get_or_create(
        name="Prescripteur du banc d'essai",
        kind=Organisation.Kind.PRESCRIBER,
        defaults={"region": region, "prescriber_kind": Organisation.PrescriberKind.MISSION_LOCALE},
    )
    programme, _ = Programme.objects.get_or_create(code="banc-essai", defaults={"name": "Dispositif du banc d'essai"})
    trainer = _user("formatrice@banc-essai.invalid", "Camille", "Formatrice")
    Membership.objects.get_or_create(user=trainer, organisation=body, role=Membership.Role.TRAINER)
    adviser = _user("conseiller@banc-essai.invalid", "Dominique", "Conseiller")
    Membership.objects.get_or_create(user=adviser, organisation=prescriber, role=Membership.Role.PRESCRIBER_ADVISER)
    action, _ = TrainingAction.objects.get_or_create(
        training_body=body, title=TITLE, defaults={"basin": basin, "programme": programme}
    )

    # Every day of the week, so that today has its two half-days whatever the weekday (public holidays aside).
    start, end = today - datetime.timedelta(days=60), today + datetime.timedelta(days=365)
    session = action.sessions.order_by("pk").first()
    if session is None:
        session = Session.objects.create(
            training_action=action, start_date=start, end_date=end, weekdays=127, capacity=PEOPLE
        )
    elif session.start_date > today - datetime.timedelta(days=14) or session.end_date < today:
        session.start_date, session.end_date = min(session.start_date, start), max(session.end_date, end)
        session.save(update_fields=["start_date", "end_date"])
    calendar_generate(session=session)

    enrolled = Stage.objects.filter(enrolment__session=session).count()
    for n in range(enrolled, PEOPLE):
        first_name, last_name = FIRST_NAMES[n % len(FIRST_NAMES)], f"{LAST_NAMES[n // len(FIRST_NAMES)]}-{n:02d}"
        beneficiary = Beneficiary.objects.create(
            first_name=first_name,
            last_name=last_name,
            birth_date=datetime.date(2001, 5, 17),
            region=region,
            name_key=name_key(first_name, last_name),
        )
        pathway = Pathway.objects.create(
            beneficiary=beneficiary,
            referent=adviser,
            opened_by=prescriber,
            prescribing_organisation=prescriber,
            prescribing_adviser=adviser,
        )
        stage = Stage.objects.create(
            pathway=pathway,
            kind=Stage.Kind.QUALIFYING_TRAINING,
            organisation=body,
            programme=programme,
            planned_start=session.start_date,
            planned_end=session.end_date,
            status=Stage.Status.IN_PROGRESS,
            actual_start=session.start_date,
        )
        Enrolment.objects.create(stage=stage, session=session)
    return trainer, session


def sheet_data(step: int, stage_ids: list[int], slots: list[Slot]) -> dict[str, str]:
    """The whole sheet, every cell one step further along CYCLE, with the versions now in the database."""
    versions = {
        (stage_id, slot_id): version
        for stage_id, slot_id, version in Mark.objects.filter(slot__in=slots).values_list(
            "stage_id", "slot_id", "version"
        )
    }
    data = {}
    for i, stage_id in enumerate(stage_ids):
        for j, slot in enumerate(slots):
            status, reason = CYCLE[(step + i + j) % len(CYCLE)]
            key = f"{stage_id}-{slot.pk}"
            data[f"m-{key}"] = status
            data[f"r-{key}"] = reason
            data[f"v-{key}"] = str(versions.get((stage_id, slot.pk), 0))
    return data


def check(response, cells: int) -> None:
    """The htmx answer confirms every cell saved (one new version each) and shows no conflict nor error."""
    content = response.content.decode()
    saved = content.count('hx-swap-oob="true"')
    if response.status_code != 200 or saved != cells or "alert-warning" in content or "alert-danger" in content:
        raise RuntimeError(
            f"The sheet was not saved whole (HTTP {response.status_code}, {saved}/{cells} cells saved):\n{content}"
        )


def run() -> list[Metric]:
    today = timezone.localdate()
    trainer, session = build(today)
    Mark.objects.filter(slot__session=session).delete()  # every run starts from an empty sheet (changes cascade)

    day = Slot.objects.filter(session=session, date__lte=today).latest("date").date
    slots = list(Slot.objects.filter(session=session, date=day).order_by("period"))
    stage_ids = list(sheet_stages(session, day).values_list("pk", flat=True))
    cells = len(stage_ids) * len(slots)
    if cells != PEOPLE * 2:
        raise RuntimeError(f"Expected {PEOPLE} people × 2 half-days on {day}, found {len(stage_ids)} × {len(slots)}.")

    client = Client()
    client.force_login(trainer)
    url = reverse("attendance:sheet", args=[session.pk, day.isoformat()])

    def post(step: int) -> float:
        """Save the sheet once; the time of the POST alone, in ms (preparing and checking it are not timed)."""
        data = sheet_data(step, stage_ids, slots)
        started = time.perf_counter()
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        elapsed_ms = (time.perf_counter() - started) * 1000
        check(response, cells)
        return elapsed_ms

    def counted(step: int) -> list[str]:
        """Save the sheet once; the SQL run by the POST alone."""
        data = sheet_data(step, stage_ids, slots)
        with CaptureQueriesContext(connection) as context:
            response = client.post(url, data, HTTP_HX_REQUEST="true")
        check(response, cells)
        return [query["sql"] for query in context.captured_queries]

    # Queries of a first save (every mark new) and, after the timed saves, of a save changing every mark.
    first_queries = counted(0)
    for step in range(1, WARM_UP):
        post(step)
    timings = [post(step) for step in range(WARM_UP, WARM_UP + SAVES)]
    later_queries = counted(WARM_UP + SAVES)
    queries = max(first_queries, later_queries, key=len)

    p95 = round(percentile(timings, 0.95), 1)
    print(
        f"attendance_sheet_save: {SAVES} saves of {cells} cells on {day} — median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(timings):.1f} ms; queries {len(first_queries)} (first save), "
        f"{len(later_queries)} (changing every mark)",
        file=sys.stderr,
    )
    if len(queries) > QUERIES_TARGET:
        shown = (sql if len(sql) <= 240 else f"{sql[:240]}…" for sql in queries)
        print("attendance_sheet_save: the queries of one save:\n  " + "\n  ".join(shown), file=sys.stderr)
    return [
        Metric.at_most("attendance_sheet_save_p95_ms", p95, "ms", P95_TARGET_MS),
        Metric.at_most("attendance_sheet_save_queries", len(queries), "queries", QUERIES_TARGET),
    ]
