"""Exports of the lists above pathways (issue 21, `pathways.exports`): alerts, to-dos, checklists, the charter's
overview, the watch list. Each export is the page's own rows, scoped, with readable headers and labels, and names
written to the access log."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog
from notifications.models import Todo
from tests.charter.factories import first_version, sign
from tests.checklist.factories import fill
from tests.ruptures.declaring import declare


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def exported(user) -> list[int]:
    return sorted(
        AccessLog.objects.filter(user=user, action=AccessLog.Action.EXPORT).values_list("beneficiary_id", flat=True)
    )


def outsider_rows(world, client_for, url_name) -> list:
    """What a trainer of another training body of the region exports from the list."""
    return read_csv(client_for(world.user("outsider")).get(reverse(url_name), {"export": "csv"}))[1:]


def test_alert_export(world, client_for):
    alert = declare(world).alert
    adviser = world.user("prescriber_adviser")
    client = client_for(adviser)
    header, *rows = read_csv(client.get(reverse("alerts:alert_list"), {"export": "csv"}))
    assert header == ["Nom", "Prénom", "Objet", "Émise le", "Émise par", "Organisme", "Statut"]
    assert rows[0][:2] == ["Martin", "Zoé"] and rows[0][3].startswith(str(timezone.localdate(alert.created_at)))
    assert rows[0][-1] == "Nouvelle" and rows[0][5] == "INSUP Cenon"
    assert exported(adviser) == [world.beneficiary.pk]
    # the status tab is honoured
    assert read_csv(client.get(reverse("alerts:alert_list"), {"export": "csv", "statut": "acted"}))[1:] == []
    # a foreign organisation sees nothing
    assert outsider_rows(world, client_for, "alerts:alert_list") == []


def test_alert_export_as_xlsx_types_the_date(world, client_for):
    declare(world)
    response = client_for(world.user("prescriber_adviser")).get(reverse("alerts:alert_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet["D2"].value, datetime.datetime)


def test_todo_export_follows_the_tab_and_logs_the_person(world, client_for):
    trainer = world.user("trainer")
    Todo.objects.create(
        owner=trainer,
        title="=Appeler",
        context="Zoé MARTIN",
        due_on=datetime.date(2026, 12, 24),
        source_key="test:1",
        stage=world.stage,
        created_by=trainer,
    )
    client = client_for(trainer)
    header, *rows = read_csv(client.get(reverse("notifications:todo_list"), {"export": "csv"}))
    assert header == ["À faire", "Contexte", "Pour le", "Faite le", "Lien"]
    assert rows == [["'=Appeler", "Zoé MARTIN", "2026-12-24", "", ""]]
    assert exported(trainer) == [world.beneficiary.pk]
    assert read_csv(client.get(reverse("notifications:todo_list"), {"export": "csv", "filtre": "faites"}))[1:] == []
    assert (
        read_csv(client_for(world.user("outsider")).get(reverse("notifications:todo_list"), {"export": "csv"}))[1:]
        == []
    )


def test_checklist_export(world, client_for):
    trainer = world.user("trainer")
    fill(world.stage, trainer)
    client = client_for(trainer)
    header, *rows = read_csv(client.get(reverse("checklist:list"), {"export": "csv"}))
    assert header[:3] == ["Nom", "Prénom", "Session"] and header[5:] == [
        "Check-list",
        "Transmise le",
        "Points à risque",
    ]
    assert rows[0][:3] == ["Martin", "Zoé", "Titre pro ADVF"]
    assert rows[0][5] == "En cours de saisie" and rows[0][6] == "" and rows[0][7] == "0"
    assert exported(trainer) == [world.beneficiary.pk]
    assert read_csv(client.get(reverse("checklist:list"), {"export": "csv", "q": "Personne"}))[1:] == []
    assert outsider_rows(world, client_for, "checklist:list") == []


def test_charter_overview_export_names_organisations_only(world, client_for):
    first_version(world.region)
    for org in (world.prescriber, world.training_body):
        org.basins.add(world.basin)
    sign(world.prescriber, world.user("legal_representative"))
    officer = world.user("regional_officer")
    client = client_for(officer)
    header, *rows = read_csv(client.get(reverse("charter:overview"), {"export": "csv", "bassin": world.basin.pk}))
    assert header[:3] == ["Structure", "Type", "Charte"]
    by_name = {row[0]: row for row in rows}
    assert set(by_name) >= {"INSUP Cenon", "Mission Locale des Hauts de Garonne"}
    assert by_name["INSUP Cenon"][2] == "Non signataire" or by_name["INSUP Cenon"][3] == ""
    assert by_name["Mission Locale des Hauts de Garonne"][3] == "1"
    assert exported(officer) == []
    # whoever follows no region's charter: 403, as the page
    assert client_for(world.user("trainer")).get(reverse("charter:overview"), {"export": "csv"}).status_code == 403


def test_watch_list_export(world, client_for):
    trainer = world.user("trainer")
    client = client_for(trainer)
    header, *rows = read_csv(client.get(reverse("attendance:watch_list"), {"export": "csv"}))
    assert header == ["Nom", "Prénom", "Session", "Pourquoi", "Depuis", "Relances", "Dernière relance", "Statut"]
    assert rows[0][:3] == ["Martin", "Zoé", "Titre pro ADVF"] and rows[0][-1] == world.drift.get_status_display()
    assert exported(trainer) == [world.beneficiary.pk]
    assert read_csv(client.get(reverse("attendance:presumed_list"), {"export": "csv"}))[1:] == []
    assert (
        read_csv(client_for(world.user("outsider")).get(reverse("attendance:watch_list"), {"export": "csv"}))[1:] == []
    )


def test_a_deactivated_member_exports_nothing(world, client_for):
    declare(world)
    membership = world.memberships["prescriber_adviser"]
    membership.is_active, membership.deactivated_at = False, timezone.now()
    membership.save()
    response = client_for(world.user("prescriber_adviser")).get(reverse("alerts:alert_list"), {"export": "csv"})
    assert response.status_code != 200 or read_csv(response)[1:] == []


@pytest.mark.parametrize("size", [2, 10])
def test_the_todo_and_watch_list_exports_do_not_query_per_row(world, client_for, django_assert_max_num_queries, size):
    trainer = world.user("trainer")
    for number in range(size):
        Todo.objects.create(
            owner=trainer,
            title=f"Appeler {number}",
            due_on=datetime.date(2026, 12, 24),
            source_key=f"test:{number}",
            stage=world.stage,
            created_by=trainer,
        )
    client = client_for(trainer)
    with django_assert_max_num_queries(12):
        assert len(read_csv(client.get(reverse("notifications:todo_list"), {"export": "csv"}))) == size + 1
    with django_assert_max_num_queries(12):
        assert client.get(reverse("attendance:watch_list"), {"export": "xlsx"}).status_code == 200
