"""Imports with a preview (issue 21): people with their enrolment (CSV, XLSX), sessions from a LHÉO file."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import AccessLog
from pathways import imports
from pathways.imports import people as people_importer
from pathways.models import Beneficiary, Enrolment, ImportFile, Membership, Pathway, Session, Stage, TrainingAction
from pathways.services import people as people_services
from tests.pathways.factories import BeneficiaryFactory, SessionFactory, TrainingActionFactory

LHEO_SAMPLE = (Path(__file__).parent / "data" / "lheo_sample.xml").read_bytes()
HEADER = "nom;prénom;date de naissance;e-mail;téléphone;commune;session;date d'entrée"


def csv_file(world, *lines, header=HEADER, encoding="utf-8-sig"):
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def good_lines(world):
    today = f"{world.today:%d/%m/%Y}"
    return [
        f"Durand;Léa;17/05/2001;lea.durand@example.org;06 12 34 56 78;33119;{world.session.pk};{today}",
        f"N'Diaye;Moussa;03/11/1999;;;Cenon;{world.session.pk};{today}",
    ]


def upload(client, world, content, name="personnes.csv", url="pathways:people_import"):
    return client.post(
        reverse(url),
        {"organisation": world.training_body.pk, "file": SimpleUploadedFile(name, content)},
    )


def confirm(client, import_file):
    return client.post(reverse("pathways:import_confirm", args=[import_file.pk]), {"sha256": import_file.sha256})


@pytest.fixture
def manager(world, client_for):
    return client_for(world.user("pedagogical_manager"))


# --------------------------------------------------------------------------------------------------------------
# People: good files


def test_a_good_csv_is_previewed_then_imported_on_confirmation(world, manager):
    before = Beneficiary.objects.count()
    response = upload(manager, world, csv_file(world, *good_lines(world)))
    import_file = ImportFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pathways:import_preview", args=[import_file.pk])

    preview = manager.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Léa DURAND" in html and "Moussa N&#x27;DIAYE" in html
    assert html.count("Nouvelle personne") == 2
    assert "Confirmer l'import" in html
    assert Beneficiary.objects.count() == before  # nothing written by the preview

    response = confirm(manager, import_file)
    assert response.status_code == 302
    lea = Beneficiary.objects.get(last_name="Durand")
    assert lea.birth_date == datetime.date(2001, 5, 17)
    assert lea.phone == "+33612345678"
    assert lea.commune == world.commune
    assert Beneficiary.objects.get(last_name="N'Diaye").commune == world.commune  # by name
    pathway = Pathway.objects.get(beneficiary=lea)
    assert pathway.opened_by == world.training_body
    assert pathway.referent == world.user("pedagogical_manager")
    stage = pathway.stages.get()
    assert stage.kind == Stage.Kind.QUALIFYING_TRAINING
    assert stage.planned_start == world.today
    assert Enrolment.objects.get(stage=stage).session == world.session
    assert AccessLog.objects.filter(beneficiary=lea, action=AccessLog.Action.CREATE).exists()
    import_file.refresh_from_db()
    assert import_file.status == ImportFile.Status.DONE
    assert bytes(import_file.content) == b""
    assert import_file.summary == {"created": 2, "reused": 0, "enrolled": 2}
    # Confirming twice writes nothing more.
    confirm(manager, import_file)
    assert Beneficiary.objects.count() == before + 2


def test_an_xlsx_file_is_imported_like_a_csv(world, manager):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Prénom", "Date de naissance", "E-mail", "Téléphone", "Commune", "Session", "Date d'entrée"])
    sheet.append(["Durand", "Léa", datetime.datetime(2001, 5, 17), None, "0612345678", 33119, world.session.pk,
                  datetime.datetime.combine(world.today, datetime.time())])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(manager, world, buffer.getvalue(), name="personnes.xlsx")
    confirm(manager, ImportFile.objects.get())
    lea = Beneficiary.objects.get(last_name="Durand")
    assert lea.birth_date == datetime.date(2001, 5, 17)
    assert lea.commune == world.commune
    assert Enrolment.objects.get(stage__pathway__beneficiary=lea).session == world.session


def test_a_french_excel_csv_in_windows_1252_with_commas_and_english_headers_is_read(world, manager):
    header = "Last name,First name,Birth date,Email,Phone,Town,Session,Entry date"
    line = f"Bénard,Zélie,01/02/2000,,,33119,{world.session.pk},{world.today:%d/%m/%Y}"
    upload(manager, world, csv_file(world, line, header=header, encoding="cp1252"))
    confirm(manager, ImportFile.objects.get())
    assert Beneficiary.objects.filter(last_name="Bénard", first_name="Zélie").exists()


def test_a_session_is_found_by_its_label(world, manager):
    world.session.label = "Promo janvier"
    world.session.save()
    line = f"Durand;Léa;17/05/2001;;;;promo JANVIER;{world.today:%d/%m/%Y}"
    upload(manager, world, csv_file(world, line))
    confirm(manager, ImportFile.objects.get())
    assert Enrolment.objects.get(stage__pathway__beneficiary__last_name="Durand").session == world.session


def test_the_csv_template_is_served_with_the_expected_headers(world, manager):
    response = manager.get(reverse("pathways:people_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "nom;prénom;date de naissance;e-mail;téléphone;commune;session;date d'entrée"


# --------------------------------------------------------------------------------------------------------------
# People: bad rows


def test_each_kind_of_bad_row_gets_its_line_column_and_why_and_cannot_be_confirmed(world, adversaries, manager):
    other_session = Session.objects.exclude(training_action__training_body=world.training_body).first()
    today = f"{world.today:%d/%m/%Y}"
    lines = [
        f"Durand;Léa;31/02/1990;;;;{world.session.pk};{today}",  # line 2: bad birth date
        f"Petit;Jean;01/01/1990;pas-une-adresse;12;;{world.session.pk};{today}",  # line 3: bad e-mail and phone
        f"Roux;Anna;01/01/1991;;;Atlantis;{world.session.pk};{today}",  # line 4: unknown commune
        f"Blanc;Paul;01/01/1992;;;;99999999;{today}",  # line 5: unknown session
        f"Noir;Lina;01/01/1993;;;;{other_session.pk};{today}",  # line 6: another training body's session
        f"Vert;Ali;01/01/1994;;;;{world.session.pk};{today}",  # line 7
        f"VERT;ali;01/01/1994;;;;{world.session.pk};{today}",  # line 8: the same person as line 7
        f";Sans nom;01/01/1995;;;;{world.session.pk};{today}",  # line 9: no last name
        f"Gris;Léo;01/01/1996;;;;{world.session.pk};01/01/2000",  # line 10: entry outside the session
    ]
    upload(manager, world, csv_file(world, *lines))
    import_file = ImportFile.objects.get()
    html = manager.get(reverse("pathways:import_preview", args=[import_file.pk])).content.decode()
    expected = [
        "Ligne 2, colonne « date de naissance » : « 31/02/1990 » n&#x27;est pas une date (JJ/MM/AAAA).",
        "Ligne 3, colonne « e-mail » : « pas-une-adresse » n&#x27;est pas une adresse e-mail.",
        "Ligne 3, colonne « téléphone » : « 12 » n&#x27;est pas un numéro de téléphone valide.",
        "Ligne 4, colonne « commune » : commune inconnue « Atlantis ».",
        "Ligne 5, colonne « session » : session inconnue « 99999999 ».",
        f"Ligne 6, colonne « session » : session inconnue « {other_session.pk} ».",
        "Ligne 8 : même personne que la ligne 7 (nom et date de naissance).",
        "Ligne 9, colonne « nom » : valeur manquante.",
        "Ligne 10, colonne « date d&#x27;entrée » : la date d&#x27;entrée doit être comprise dans la session",
    ]
    for message in expected:
        assert message in html
    assert other_session.training_action.title not in html  # a foreign session is never named
    assert "Confirmer l'import" not in html
    before = Beneficiary.objects.count()
    response = confirm(manager, import_file)
    assert response.status_code == 422
    assert Beneficiary.objects.count() == before


def test_a_missing_column_is_reported_on_the_first_line(world, manager):
    header = "nom;prénom;e-mail;session;date d'entrée"
    upload(manager, world, csv_file(world, f"Durand;Léa;;{world.session.pk};01/01/2027", header=header))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "Ligne 1, colonne « date de naissance » : cette colonne obligatoire est absente" in html


def test_a_person_the_training_body_follows_is_reused_not_duplicated(world, manager):
    person = people_services.beneficiary_create(
        by=world.user("pedagogical_manager"),
        opened_by=world.training_body,
        identity={"first_name": "Léa", "last_name": "Durand", "birth_date": datetime.date(2001, 5, 17)},
        referent=world.user("pedagogical_manager"),
    ).beneficiary
    before = Beneficiary.objects.count()
    upload(manager, world, csv_file(world, f"DURAND;lea;17/05/2001;;;;{world.session.pk};{world.today:%d/%m/%Y}"))
    import_file = ImportFile.objects.get()
    html = manager.get(reverse("pathways:import_preview", args=[import_file.pk])).content.decode()
    assert "Personne déjà suivie : nouvelle étape" in html
    # The preview shows the person: it is a read in the access log.
    assert AccessLog.objects.filter(
        beneficiary=person, action=AccessLog.Action.READ, view_name="pathways:import_preview"
    ).exists()
    confirm(manager, import_file)
    assert Beneficiary.objects.count() == before
    assert Enrolment.objects.get(stage__pathway__beneficiary=person).session == world.session


def test_a_person_followed_through_another_organisations_pathway_is_a_row_error(world, manager):
    zoe = world.beneficiary  # followed by the prescriber, enrolled in the world's session
    upload(manager, world, csv_file(world, f"Martin;Zoé;{zoe.birth_date:%d/%m/%Y};;;;{world.session.pk};01/01/2027"))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "a un parcours en cours suivi par une autre structure" in html


def test_a_person_outside_the_importers_scope_is_a_row_error_that_names_no_one(world, adversaries, manager):
    stranger = BeneficiaryFactory(region=world.region, first_name="Inconnue", last_name="Ailleurs")
    line = f"Ailleurs;Inconnue;{stranger.birth_date:%d/%m/%Y};;;;{world.session.pk};{world.today:%d/%m/%Y}"
    upload(manager, world, csv_file(world, line))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "déjà suivie par une autre structure" in html
    assert AccessLog.objects.filter(beneficiary=stranger, action=AccessLog.Action.DUPLICATE_CHECK).exists()


def test_a_file_cannot_get_around_the_duplicate_check_limit(world, manager, settings):
    settings.DUPLICATE_CHECKS_PER_HOUR = 2
    strangers = [
        BeneficiaryFactory(region=world.region, first_name="Inconnue", last_name=f"Ailleurs{n}") for n in range(3)
    ]
    lines = [
        f"{p.last_name};Inconnue;{p.birth_date:%d/%m/%Y};;;;{world.session.pk};{world.today:%d/%m/%Y}"
        for p in strangers
    ]
    upload(manager, world, csv_file(world, *lines))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "limite des recherches de doublon par heure" in html
    assert "Ailleurs0" not in html  # no line says who matched


def test_a_full_session_is_a_row_error(world, manager):
    small = SessionFactory(training_action=world.session.training_action, capacity=1)
    lines = [line.replace(f";{world.session.pk};", f";{small.pk};") for line in good_lines(world)]
    upload(manager, world, csv_file(world, *lines))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "Ligne 3, colonne « session » : cette session est complète (1 places)." in html


def test_a_failure_while_writing_row_900_leaves_nothing_written(world, manager, monkeypatch):
    from pathways.services import stages

    lines = [
        f"Nom{n};Prénom;01/01/1990;;;;{world.session.pk};{world.today:%d/%m/%Y}" for n in range(3)
    ]  # fmt: skip
    upload(manager, world, csv_file(world, *lines))
    import_file = ImportFile.objects.get()
    real_plan = stages.stage_plan
    calls = []

    def failing_plan(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError("La base a refusé cette étape.")
        return real_plan(**kwargs)

    monkeypatch.setattr(stages, "stage_plan", failing_plan)
    before = (Beneficiary.objects.count(), Pathway.objects.count(), Stage.objects.count(), AccessLog.objects.count())
    response = confirm(manager, import_file)
    assert response.status_code == 422
    assert "Ligne 4 : La base a refusé cette étape." in response.content.decode()
    assert (Beneficiary.objects.count(), Pathway.objects.count(), Stage.objects.count()) == before[:3]
    import_file.refresh_from_db()
    assert import_file.status == ImportFile.Status.PENDING


# --------------------------------------------------------------------------------------------------------------
# Limits and broken files


def test_a_file_over_the_size_limit_is_refused(world, manager, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = upload(manager, world, csv_file(world, *good_lines(world)))
    assert response.status_code == 200
    assert "Ce fichier dépasse" in response.content.decode()
    assert not ImportFile.objects.exists()


def test_a_file_over_the_row_limit_is_refused(world, manager, monkeypatch):
    monkeypatch.setattr(people_importer, "MAX_ROWS", 1)
    upload(manager, world, csv_file(world, *good_lines(world)))
    html = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])).content.decode()
    assert "Ce fichier dépasse 1 lignes" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("personnes.pdf", b"%PDF-1.4", "Ce type de fichier n&#x27;est pas accepté"),
        ("personnes.csv", b"", "Le fichier soumis est vide"),
    ],
)
def test_a_wrong_or_empty_file_is_refused_at_upload(world, manager, name, content, message):
    response = upload(manager, world, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_broken_xlsx_gets_a_clear_error_not_a_server_error(world, manager):
    upload(manager, world, b"PK\x03\x04 not really a workbook", name="personnes.xlsx")
    response = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk]))
    assert response.status_code == 200
    assert "n&#x27;est pas un classeur Excel (XLSX) lisible" in response.content.decode()


# --------------------------------------------------------------------------------------------------------------
# LHÉO


def test_the_lheo_sample_creates_its_actions_and_sessions_once(world, manager):
    upload(manager, world, LHEO_SAMPLE, name="offre.xml", url="pathways:lheo_import")
    import_file = ImportFile.objects.get()
    html = manager.get(reverse("pathways:import_preview", args=[import_file.pk])).content.decode()
    assert html.count("Nouvelle action et nouvelle session") == 2
    assert html.count("Nouvelle session") == 1  # the second session of the first new action
    assert not TrainingAction.objects.filter(formacode="42056").exists()

    confirm(manager, import_file)
    advf = TrainingAction.objects.get(training_body=world.training_body, formacode="42056")
    assert advf.title == "Titre professionnel Assistant de vie aux familles"
    assert advf.basin == world.basin
    sessions = list(advf.sessions.order_by("start_date"))
    assert [(s.start_date, s.end_date, s.capacity) for s in sessions] == [
        (datetime.date(2027, 1, 4), datetime.date(2027, 6, 25), 14),
        (datetime.date(2027, 9, 6), datetime.date(2028, 2, 25), 12),  # the action's places
    ]
    assert all(s.commune == world.commune for s in sessions)
    # created through the offer's service: each session has its calendar at once, the action its hours
    assert all(s.slots.exists() for s in sessions)
    assert advf.hours == 1050
    remise = TrainingAction.objects.get(training_body=world.training_body, formacode="15041")
    assert remise.sessions.get().capacity == 10

    # The same file again: every session is matched, nothing is created.
    upload(manager, world, LHEO_SAMPLE, name="offre.xml", url="pathways:lheo_import")
    again = ImportFile.objects.latest("pk")
    html = manager.get(reverse("pathways:import_preview", args=[again.pk])).content.decode()
    assert html.count("Session existante, inchangée") == 3
    confirm(manager, again)
    assert TrainingAction.objects.filter(training_body=world.training_body).count() == 3  # the world's one + 2
    assert Session.objects.filter(training_action__training_body=world.training_body).count() == 4


def test_lheo_matches_an_existing_action_by_title_and_formacode(world, manager):
    action = TrainingActionFactory(
        training_body=world.training_body,
        basin=world.basin,
        title="Remise à niveau compétences clés",
        formacode="15041",
    )
    upload(manager, world, LHEO_SAMPLE, name="offre.xml", url="pathways:lheo_import")
    confirm(manager, ImportFile.objects.get())
    assert action.sessions.count() == 1


def test_a_lheo_file_with_bad_sessions_lists_where_and_why(world, manager):
    content = LHEO_SAMPLE.replace(b"<debut>20270104</debut>", b"<debut>2027-01-04</debut>").replace(
        b"<code-INSEE-commune>33119</code-INSEE-commune>\n            </adresse>\n          </coordonnees>\n        "
        b'</lieu-de-formation>\n        <session numero="SE_33_0003">',
        b"<code-INSEE-commune>99999</code-INSEE-commune>\n            </adresse>\n          </coordonnees>\n        "
        b'</lieu-de-formation>\n        <session numero="SE_33_0003">',
    )
    upload(manager, world, content, name="offre.xml", url="pathways:lheo_import")
    import_file = ImportFile.objects.get()
    html = manager.get(reverse("pathways:import_preview", args=[import_file.pk])).content.decode()
    assert "action 1, session 1 : « 2027-01-04 » n&#x27;est pas une date (AAAAMMJJ)." in html
    assert "commune inconnue « 99999 »." in html
    assert confirm(manager, import_file).status_code == 422
    assert not TrainingAction.objects.filter(formacode="42056").exists()


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><lheo>&b;</lheo>',
        b"<lheo><offres><formation>",
        b"<html></html>",
    ],
)
def test_a_dangerous_or_broken_xml_file_gets_a_clear_error(world, manager, content):
    upload(manager, world, content, name="offre.xml", url="pathways:lheo_import")
    response = manager.get(reverse("pathways:import_preview", args=[ImportFile.objects.get().pk]))
    assert response.status_code == 200
    assert "LHÉO" in response.content.decode()
    assert "Confirmer l'import" not in response.content.decode()


# --------------------------------------------------------------------------------------------------------------
# Who may import


@pytest.mark.parametrize("url", ["pathways:people_import", "pathways:lheo_import"])
@pytest.mark.parametrize(
    ("role", "status"),
    [("pedagogical_manager", 200), ("org_manager", 200), ("trainer", 403), ("prescriber_adviser", 403), ("dpo", 403)],
)
def test_only_a_training_bodys_managers_import(world, client_for, url, role, status):
    assert client_for(world.user(role)).get(reverse(url)).status_code == status


def test_anonymous_is_sent_to_login(world, client):
    assert client.get(reverse("pathways:people_import")).status_code == 302


def test_a_manager_imports_into_their_own_organisation_only(world, client_for):
    outsider_manager = Membership.objects.create(
        user=world.user("outsider"), organisation=world.other_training_body, role=Membership.Role.ORG_MANAGER
    ).user
    client = client_for(outsider_manager)
    response = upload(client, world, csv_file(world, *good_lines(world)))
    assert response.status_code == 200  # the form refuses the world's training body
    assert not ImportFile.objects.exists()


def test_an_upload_is_seen_and_confirmed_by_its_uploader_only(world, manager, client_for):
    upload(manager, world, csv_file(world, *good_lines(world)))
    import_file = ImportFile.objects.get()
    other = client_for(world.user("org_manager"))
    assert other.get(reverse("pathways:import_preview", args=[import_file.pk])).status_code == 404
    assert confirm(other, import_file).status_code == 404
    assert not Beneficiary.objects.filter(last_name="Durand").exists()


def test_confirm_is_post_only(world, manager):
    upload(manager, world, csv_file(world, *good_lines(world)))
    response = manager.get(reverse("pathways:import_confirm", args=[ImportFile.objects.get().pk]))
    assert response.status_code == 405


def test_a_confirmation_with_another_hash_writes_nothing(world, manager):
    upload(manager, world, csv_file(world, *good_lines(world)))
    import_file = ImportFile.objects.get()
    manager.post(reverse("pathways:import_confirm", args=[import_file.pk]), {"sha256": "0" * 64})
    assert not Beneficiary.objects.filter(last_name="Durand").exists()


def test_an_upload_left_unconfirmed_expires(world, manager):
    upload(manager, world, csv_file(world, *good_lines(world)))
    import_file = ImportFile.objects.get()
    ImportFile.objects.update(created_at=timezone.now() - imports.MAX_AGE - datetime.timedelta(minutes=1))
    assert manager.get(reverse("pathways:import_preview", args=[import_file.pk])).status_code == 404
    upload(manager, world, csv_file(world, *good_lines(world)))
    assert not ImportFile.objects.filter(pk=import_file.pk).exists()  # purged at the next upload


def test_the_beat_job_deletes_unconfirmed_uploads_only(world, manager):
    from pathways.tasks import purge_import_files_task

    upload(manager, world, csv_file(world, *good_lines(world)))
    upload(manager, world, csv_file(world, *good_lines(world)))
    old, fresh = ImportFile.objects.order_by("pk")
    ImportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - imports.MAX_AGE - datetime.timedelta(1))
    assert purge_import_files_task() == 1
    assert list(ImportFile.objects.all()) == [fresh]


# --------------------------------------------------------------------------------------------------------------
# Query count of the preview


@pytest.mark.parametrize("size", [5, 60])
def test_the_preview_reads_a_bounded_number_of_queries(world, manager, django_assert_max_num_queries, size):
    for n in range(3):
        BeneficiaryFactory(region=world.region, first_name="Prénom", last_name=f"Nom{n}")  # out of scope matches
    lines = [f"Nom{n};Prénom;01/01/1990;;;33119;{world.session.pk};{world.today:%d/%m/%Y}" for n in range(size)]
    upload(manager, world, csv_file(world, *lines))
    url = reverse("pathways:import_preview", args=[ImportFile.objects.get().pk])
    with django_assert_max_num_queries(22):
        assert manager.get(url).status_code == 200


@pytest.mark.parametrize(("role", "shown"), [("pedagogical_manager", True), ("trainer", False)])
def test_the_sessions_page_links_to_the_imports_for_importers_only(world, client_for, role, shown):
    html = client_for(world.user(role)).get(reverse("pathways:session_list")).content.decode()
    assert (reverse("pathways:people_import") in html) is shown
    assert (reverse("pathways:lheo_import") in html) is shown
