"""Exports of the lists of pathways (issue 21, `pathways.exports`): people, pathways and sessions as CSV and XLSX,
through the page's own queryset and filters, scoped, written to the access log, formula-like cells inert."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccessLog
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def export_logs(user):
    return AccessLog.objects.filter(user=user, action=AccessLog.Action.EXPORT)


def enrol(world, **person):
    """A person prescribed by the world's prescriber, in a stage of the world's session (seen by its trainers)."""
    beneficiary = BeneficiaryFactory(region=world.region, **person)
    pathway = PathwayFactory(
        beneficiary=beneficiary,
        referent=world.user("prescriber_adviser"),
        opened_by=world.prescriber,
        prescribing_organisation=world.prescriber,
        prescribing_adviser=world.user("prescriber_adviser"),
    )
    stage = StageFactory(pathway=pathway, organisation=world.training_body)
    EnrolmentFactory(stage=stage, session=world.session)
    return beneficiary


def test_people_export_as_csv_has_headers_and_the_known_row(world, client_for):
    world.beneficiary.phone = "+33612345678"
    world.beneficiary.email = "zoe@example.org"
    world.beneficiary.save()
    response = client_for(world.user("trainer")).get(reverse("pathways:beneficiary_list"), {"export": "csv"})
    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header == ["Nom", "Prénom", "Date de naissance", "E-mail", "Téléphone", "Commune", "Parcours", "Référent·e"]
    assert rows == [
        [
            "Martin",
            "Zoé",
            world.beneficiary.birth_date.isoformat(),
            "zoe@example.org",
            "'+33612345678",
            "Cenon",
            "En cours",
            world.user("prescriber_adviser").get_full_name(),
        ]
    ]
    assert response["Content-Disposition"].startswith('attachment; filename="personnes-')


def test_people_export_as_xlsx_types_dates_and_keeps_phones_as_text(world, client_for):
    world.beneficiary.phone = "+33612345678"
    world.beneficiary.save()
    response = client_for(world.user("trainer")).get(reverse("pathways:beneficiary_list"), {"export": "xlsx"})
    sheet = read_xlsx(response)
    assert sheet.title == "Personnes"
    assert [cell.value for cell in sheet[1]][:3] == ["Nom", "Prénom", "Date de naissance"]
    assert isinstance(sheet["C2"].value, datetime.datetime)
    assert sheet["C2"].value.date() == world.beneficiary.birth_date
    assert sheet["E2"].value == "+33612345678" and sheet["E2"].data_type == "s"


def test_formula_like_names_stay_inert_in_csv_and_xlsx(world, client_for):
    enrol(world, first_name='=HYPERLINK("http://x","y")', last_name="@Evil")
    client = client_for(world.user("trainer"))
    rows = read_csv(client.get(reverse("pathways:beneficiary_list"), {"export": "csv"}))
    evil = next(row for row in rows if "Evil" in row[0])
    assert evil[:2] == ["'@Evil", """'=HYPERLINK("http://x","y")"""]
    sheet = read_xlsx(client.get(reverse("pathways:beneficiary_list"), {"export": "xlsx"}))
    cells = [row for row in sheet.iter_rows(min_row=2) if "Evil" in str(row[0].value)][0]
    assert cells[1].value == '=HYPERLINK("http://x","y")'
    assert cells[1].data_type == "s" and cells[1].quotePrefix
    assert cells[0].data_type == "s" and cells[0].quotePrefix


def test_export_holds_every_page_and_honours_the_filters(world, client_for, settings):
    settings.PAGINATE_BY = 2
    for number in range(4):
        enrol(world, first_name=f"P{number}", last_name="Dupont")
    client = client_for(world.user("trainer"))
    rows = read_csv(client.get(reverse("pathways:beneficiary_list"), {"export": "csv", "page": "2"}))[1:]
    assert len(rows) == 5
    rows = read_csv(client.get(reverse("pathways:beneficiary_list"), {"export": "csv", "q": "Dupont"}))[1:]
    assert sorted(row[1] for row in rows) == ["P0", "P1", "P2", "P3"]


def test_export_writes_one_export_row_per_person_to_the_access_log(world, client_for):
    other = enrol(world, first_name="Paul", last_name="Durand")
    trainer = world.user("trainer")
    client_for(trainer).get(reverse("pathways:beneficiary_list"), {"export": "csv"})
    logged = export_logs(trainer)
    assert sorted(logged.values_list("beneficiary_id", flat=True)) == sorted([world.beneficiary.pk, other.pk])
    assert {row.view_name for row in logged} == {"pathways:beneficiary_list"}
    assert {row.acting_organisation_id for row in logged} == {world.training_body.pk}


def test_a_foreign_organisation_s_person_never_appears(world, client_for):
    rows = read_csv(client_for(world.user("outsider")).get(reverse("pathways:beneficiary_list"), {"export": "csv"}))
    assert rows[1:] == []
    rows = read_csv(client_for(world.user("outsider")).get(reverse("pathways:pathway_list"), {"export": "csv"}))
    assert rows[1:] == []
    assert not export_logs(world.user("outsider")).exists()


def test_a_deactivated_member_gets_nothing(world, client_for):
    membership = world.memberships["trainer"]
    membership.is_active, membership.deactivated_at = False, timezone.now()
    membership.save()
    response = client_for(world.user("trainer")).get(reverse("pathways:beneficiary_list"), {"export": "csv"})
    assert response.status_code != 200 or read_csv(response)[1:] == []


def test_pathway_export(world, client_for):
    rows = read_csv(
        client_for(world.user("prescriber_adviser")).get(reverse("pathways:pathway_list"), {"export": "csv"})
    )
    assert rows[0][:3] == ["Nom", "Prénom", "Étape actuelle"]
    assert rows[1][0:2] == ["Martin", "Zoé"]
    assert rows[1][-1] == "En cours"
    assert rows[1][4] == "Mission Locale des Hauts de Garonne"
    assert export_logs(world.user("prescriber_adviser")).count() == 1


def test_session_export_names_nobody(world, client_for):
    trainer = world.user("trainer")
    sheet = read_xlsx(client_for(trainer).get(reverse("pathways:session_list"), {"export": "xlsx"}))
    assert [cell.value for cell in sheet[1]] == [
        "Action de formation",
        "Session",
        "Organisme",
        "Bassin",
        "Début",
        "Fin",
        "Inscrit·es",
        "Places",
    ]
    assert sheet["A2"].value == "Titre pro ADVF" and sheet["G2"].value == 1
    assert sheet["E2"].value.date() == world.session.start_date
    assert not export_logs(trainer).exists()


def test_an_unknown_format_is_a_404(world, client_for):
    assert (
        client_for(world.user("trainer")).get(reverse("pathways:beneficiary_list"), {"export": "pdf"}).status_code
        == 404
    )


def test_the_page_links_to_its_exports_with_its_filters(world, client_for):
    html = (
        client_for(world.user("trainer"))
        .get(reverse("pathways:beneficiary_list"), {"q": "Mar", "page": "1"})
        .content.decode()
    )
    assert "?q=Mar&amp;export=csv" in html and "?q=Mar&amp;export=xlsx" in html
    assert "Exporter (CSV)" in html and "Exporter (Excel)" in html


@pytest.mark.parametrize("size", [3, 12])
def test_people_export_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, size):
    for number in range(size):
        enrol(world, first_name=f"P{number}", last_name="Dupont")
    client = client_for(world.user("trainer"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("pathways:beneficiary_list"), {"export": "xlsx"}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("pathways:pathway_list"), {"export": "csv"}).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# Long lists: built by a worker


def long_export(world, client_for, settings, fmt="csv", **params):
    """Ask for the people list's export above the synchronous limit: the request only records it."""
    from pathways.models import ListExportDocument

    settings.EXPORT_SYNC_MAX_ROWS = 0
    enrol(world, first_name="Paul", last_name="Durand")
    client = client_for(world.user("trainer"))
    response = client.get(reverse("pathways:beneficiary_list"), {"export": fmt, "page": "3", **params})
    document = ListExportDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    return client, document


def test_a_long_list_is_built_by_the_worker_with_progress_and_a_download(world, client_for, settings):
    from pathways.models import ListExportDocument
    from pathways.tasks import build_list_export_task

    client, document = long_export(world, client_for, settings, q="Durand")
    assert document.params == "q=Durand" and document.status == ListExportDocument.Status.PENDING
    assert not export_logs(world.user("trainer")).exists()  # nothing exported yet
    page = client.get(document.get_absolute_url())
    assert "En préparation" in page.content.decode() and 'hx-trigger="every' in page.content.decode()
    assert client.get(reverse("pathways:list_export_download", args=[document.pk])).status_code == 404
    assert build_list_export_task.run(document.pk) is True
    assert build_list_export_task.run(document.pk) is False  # idempotent: already built
    document.refresh_from_db()
    assert document.status == ListExportDocument.Status.READY and document.row_count == 1
    html = client.get(document.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "Télécharger le fichier" in html and "hx-trigger" not in html
    response = client.get(reverse("pathways:list_export_download", args=[document.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert [row[:2] for row in rows[1:]] == [["Durand", "Paul"]]  # the filter, every page
    logged = export_logs(world.user("trainer"))
    assert [row.view_name for row in logged] == ["pathways:beneficiary_list"]


def test_a_long_export_is_for_its_requester_only_and_while_they_still_see_the_people(world, client_for, settings):
    from pathways.tasks import build_list_export_task

    client, document = long_export(world, client_for, settings, fmt="xlsx")
    build_list_export_task.run(document.pk)
    url = reverse("pathways:list_export_download", args=[document.pk])
    assert client_for(world.user("pedagogical_manager")).get(url).status_code == 404
    assert client_for(world.user("pedagogical_manager")).get(document.get_absolute_url()).status_code == 404
    sheet = load_workbook(io.BytesIO(b"".join(client_for(world.user("trainer")).get(url).streaming_content))).active
    assert sheet.max_row == 3
    membership = world.memberships["trainer"]
    membership.is_active, membership.deactivated_at = False, timezone.now()
    membership.save()
    assert client_for(world.user("trainer")).get(url).status_code == 404


def test_the_sweeper_builds_a_long_export_left_pending(world, client_for, settings):
    import time_machine

    from pathways.models import ListExportDocument
    from pathways.tasks import sweep_list_exports_task

    _client, document = long_export(world, client_for, settings)
    assert sweep_list_exports_task.run() == 0  # too recent: its own task may still come
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)):
        assert sweep_list_exports_task.run() == 1
    document.refresh_from_db()
    assert document.status == ListExportDocument.Status.READY


def test_long_exports_are_declared_for_retention():
    from accounts.personal_data import Category, sources

    declared = {source.model: source for source in sources()}
    assert declared["pathways.ListExportDocument"].category == Category.EXPORTS
    assert declared["pathways.ListExportDocument"].files == ("file",)


def test_a_long_exports_file_and_its_search_by_name_go_when_the_exports_duration_ends(world, client_for, settings):
    """The filters of a long export are the page's query string: a search by name ("q=Durand") is personal data
    too, kept no longer than the file."""
    from dateutil.relativedelta import relativedelta
    from django.core.files.storage import default_storage

    from accounts import retention
    from pathways.models import ListExportDocument
    from pathways.tasks import build_list_export_task

    _client, document = long_export(world, client_for, settings, q="Durand")
    build_list_export_task.run(document.pk)
    document.refresh_from_db()
    name, requested_on = document.file.name, timezone.localdate(document.requested_at)
    months = retention.default_months("exports")
    day_before = requested_on + relativedelta(months=months) - datetime.timedelta(days=1)
    assert "pathways.ListExportDocument" not in retention.run(today=day_before).rows
    assert ListExportDocument.objects.get(pk=document.pk).params == "q=Durand"
    assert retention.run(today=requested_on + relativedelta(months=months)).rows["pathways.ListExportDocument"] == 1
    document.refresh_from_db()
    assert "Durand" not in document.params and not document.file and not default_storage.exists(name)
