"""`manage.py generate_scale`: a small region (300 people), generated once for the module into the test database."""

import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from alerts.models import Alert
from attendance.models import Mark, Slot
from charter.models import Signature
from checklist.models import Checklist, ChecklistRevision
from pathways.management.commands.generate_scale import ensure_scale_data, logins, purge_region, region_state
from pathways.management.scale import PASSWORD
from pathways.models import Beneficiary, Enrolment, Membership, Organisation, Pathway, Region, Stage, TrainingAction
from ruptures.models import Rupture
from tests.conftest import require_service

pytestmark = [pytest.mark.postgres]
PEOPLE = 300


def fingerprint(region) -> str:
    """A digest of what the region holds that does not depend on ids nor on the region's code: the people, their
    stages and marks, ruptures and alerts, in a stable order."""
    people = Beneficiary.objects.filter(region=region)
    rows = [
        list(
            people.order_by("created_at", "name_key", "birth_date").values_list("first_name", "last_name", "birth_date")
        ),
        list(
            Stage.objects.filter(pathway__beneficiary__region=region)
            .order_by("pathway__beneficiary__created_at", "planned_start", "kind", "status")
            .values_list("kind", "status", "planned_start", "actual_start", "actual_end", "organisation__name")
        ),
        sorted(
            Counter(
                Mark.objects.filter(stage__pathway__beneficiary__region=region).values_list("status", "slot__date")
            ).items()
        ),
        sorted(
            Rupture.objects.filter(stage__pathway__beneficiary__region=region).values_list(
                "kind", "main_cause", "occurred_on"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    """Region 99 of 300 people, committed for the module's tests, removed after them."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            yield None
            return
        call_command("generate_scale", beneficiaries=PEOPLE, seed=7, region="99", stdout=StringIO())
        region = Region.objects.get(code="99")
        yield region
        for code in ("99", "98"):
            leftover = Region.objects.filter(code=code).first()
            if leftover is not None:
                from django.db import transaction

                with transaction.atomic():
                    purge_region(leftover)


def needs_postgres():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")


@pytest.mark.django_db
def test_the_region_has_its_people_basins_and_every_kind_of_organisation(scale):
    needs_postgres()
    region = scale
    assert Beneficiary.objects.filter(region=region).count() == PEOPLE
    assert Pathway.objects.filter(beneficiary__region=region).count() == PEOPLE
    assert region.basins.count() == 12
    kinds = Counter(Organisation.objects.filter(region=region).values_list("kind", flat=True))
    assert set(kinds) == set(Organisation.Kind.values)
    assert region.scheme_organisation.kind == Organisation.Kind.FUNDER
    roles = set(Membership.objects.filter(organisation__region=region).values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    assert Membership.objects.filter(organisation__region=region, is_active=False).exists()


@pytest.mark.django_db
def test_the_proportions_look_like_real_use(scale):
    needs_postgres()
    stages = Stage.objects.filter(pathway__beneficiary__region=scale)
    statuses = Counter(stages.values_list("status", flat=True))
    assert {"planned", "in_progress", "suspended", "completed", "abandoned", "positive_exit"} <= set(statuses)
    ruptures = Rupture.objects.filter(stage__pathway__beneficiary__region=scale).count()
    assert 0.05 * PEOPLE < ruptures < 0.35 * PEOPLE
    marks = Mark.objects.filter(stage__pathway__beneficiary__region=scale).count()
    assert 40 * PEOPLE < marks < 200 * PEOPLE  # about 100 a person: 10 million for 100,000
    checklists = Checklist.objects.filter(stage__pathway__beneficiary__region=scale)
    assert checklists.count() > 0.5 * PEOPLE
    assert checklists.filter(consent=False).exists()  # some people refused the sharing
    assert Pathway.objects.filter(beneficiary__region=scale, status="closed").exists()
    assert Pathway.objects.filter(beneficiary__region=scale, prescribing_organisation__isnull=True).exists()
    assert Signature.objects.filter(organisation__region=scale).exists()


@pytest.mark.django_db
def test_the_rows_hold_together(scale):
    needs_postgres()
    region = scale
    stages = Stage.objects.filter(pathway__beneficiary__region=region)
    assert not Stage.objects.filter(pathway__isnull=True).exists()
    assert not TrainingAction.objects.filter(training_body__region=region).exclude(funder__kind="funder").exists()
    assert TrainingAction.objects.filter(training_body__region=region, funder=region.scheme_organisation).exists()
    ruptures = Rupture.objects.filter(stage__in=stages)
    assert not ruptures.filter(alert__isnull=True).exists()
    assert not ruptures.exclude(alert__stage=models_f("stage")).exists()
    alerts = Alert.objects.filter(stage__in=stages)
    assert set(alerts.values_list("kind", flat=True)) == {"rupture", "checklist_risk"}
    assert alerts.filter(kind="rupture").count() == ruptures.count()
    risk_alerts = alerts.filter(kind="checklist_risk")
    assert risk_alerts.count() == ChecklistRevision.objects.filter(alert__in=risk_alerts).count()
    # Every mark lies on a slot of the session the stage is enrolled in.
    enrolled = Enrolment.objects.filter(stage__in=stages).values_list("stage_id", "session_id")
    sessions = dict(enrolled)
    for stage_id, session_id in Mark.objects.filter(stage__in=stages).values_list("stage_id", "slot__session_id")[
        :2000
    ]:
        assert sessions[stage_id] == session_id
    assert Slot.objects.filter(session__training_action__training_body__region=region).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["trainer", "adviser"])
def test_generated_staff_log_in_and_see_their_people(scale, role):
    needs_postgres()
    emails = dict(logins(scale))
    email = emails["Formateur·rice (plus gros OF)" if role == "trainer" else "Conseiller·ère (plus gros prescripteur)"]
    client = Client()
    assert client.login(username=email, password=PASSWORD)
    for name in ("alerts:alert_list", "pathways:pathway_list", "pathways:home"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    visible = Pathway.objects.for_user(Membership.objects.get(user__email=email).user).select_related("beneficiary")
    person = visible.order_by("-opened_at").first().beneficiary
    assert person.last_name.upper() in client.get(reverse("pathways:pathway_list")).content.decode()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_a_second_run_needs_replace(scale):
    needs_postgres()
    call_command("generate_scale", beneficiaries=PEOPLE, seed=7, region="98", stdout=StringIO())
    first = Region.objects.get(code="98")
    assert fingerprint(first) == fingerprint(scale)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_scale", beneficiaries=PEOPLE, seed=7, region="98", stdout=StringIO())
    assert region_state("98", 7, PEOPLE) == "same"
    assert ensure_scale_data(people=PEOPLE, seed=7, region="98") is False  # already there: nothing done
    call_command("generate_scale", beneficiaries=PEOPLE, seed=8, region="98", replace=True, stdout=StringIO())
    assert region_state("98", 8, PEOPLE) == "same"
    assert fingerprint(Region.objects.get(code="98")) != fingerprint(scale)
    assert Beneficiary.objects.filter(region__code="98").count() == PEOPLE


def test_it_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("generate_scale", beneficiaries=PEOPLE, stdout=StringIO())


@pytest.mark.django_db
def test_the_foreign_keys_and_indexes_dropped_for_the_load_are_back(scale):
    """The generator drops the loaded tables' foreign keys (and the marks' indexes) during the load: they are all
    back afterwards, with Django's definition (deferrable, initially deferred), validated."""
    from pathways.management.scale import LOADED_TABLES

    needs_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, count(*) FILTER (WHERE condeferrable AND condeferred AND convalidated) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' GROUP BY 1",
            [list(LOADED_TABLES)],
        )
        keys = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'attendance_mark'")
        mark_indexes = cursor.fetchone()[0]
    assert set(keys) == set(LOADED_TABLES)
    assert keys["attendance_mark"] == 3
    assert keys["pathways_stage"] >= 5
    assert mark_indexes == 7  # the primary key, the unique (slot, stage) and five others
