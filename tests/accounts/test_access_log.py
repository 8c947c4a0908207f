"""The access log (issue 20, "Traceability of personal data"): append-only in the database, purged only by the
retention job, kept when the person goes, routed to the region's DPO, searched and exported by the DPOs, and shown
on a person's record to their referent and DPOs."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts import access_log
from accounts.models import AccessLog
from core.exports import csv_cell
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.pathways.factories import BeneficiaryFactory, OrganisationFactory

Role = Membership.Role
NOW = datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.UTC)


def log(world, *, user=None, person=None, acting=None, at=None, view="pathways:beneficiary_detail", action="read"):
    with time_machine.travel(at or NOW, tick=False):
        person = person or world.beneficiary
        return access_log.record(
            user=user or world.user("prescriber_adviser"),
            beneficiary=person,
            view_name=view,
            acting_organisation=acting,
            action=action,
        )


def region_dpo(world):
    """A DPO of the Région, which runs the scheme in the world's region: the region's DPO."""
    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    return Membership.objects.create(user=UserFactory(), organisation=world.funder, role=Role.DPO).user


# --------------------------------------------------------------------------------------------------------------
# Append-only


def test_an_orm_update_of_a_row_is_refused(world):
    row = log(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(view_name="effacé")
    row.view_name = "effacé"
    with pytest.raises(DatabaseError), transaction.atomic():
        row.save()
    assert AccessLog.objects.get(pk=row.pk).view_name == "pathways:beneficiary_detail"


def test_an_orm_delete_of_a_row_is_refused(world):
    row = log(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_raw_sql_update_and_delete_are_refused(world):
    row = log(world)
    for statement in (
        "UPDATE accounts_accesslog SET user_id = user_id WHERE id = %s",
        "DELETE FROM accounts_accesslog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_the_purge_deletes_the_rows_older_than_the_cutoff_only(world):
    old = log(world, at=NOW - datetime.timedelta(days=400))
    recent = log(world, at=NOW - datetime.timedelta(days=10))
    assert access_log.purge(before=NOW - datetime.timedelta(days=365)) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLog.objects.filter(pk=old.pk).exists()


def test_after_a_purge_deleting_is_refused_again_in_the_same_transaction(world):
    log(world, at=NOW - datetime.timedelta(days=400))
    recent = log(world)
    with transaction.atomic():
        access_log.purge(before=NOW - datetime.timedelta(days=365))
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLog.objects.filter(pk=recent.pk).delete()
    assert AccessLog.objects.filter(pk=recent.pk).exists()


# --------------------------------------------------------------------------------------------------------------
# Never deleted with the person; the row's region


def test_deleting_a_person_keeps_their_rows(world):
    person = BeneficiaryFactory(region=world.region)
    row = log(world, person=person)
    person_id = person.pk
    person.delete()
    row = AccessLog.objects.get(pk=row.pk)
    assert row.beneficiary_id == person_id


def test_a_row_belongs_to_the_person_s_region(world, adversaries):
    assert log(world).region_id == world.region.pk
    other = adversaries.other_region_pathway.beneficiary
    assert log(world, person=other).region_id == adversaries.other_region.pk


def test_a_duplicate_check_that_found_nobody_belongs_to_the_organisation_s_region(world):
    row = access_log.record(
        user=world.user("prescriber_adviser"),
        beneficiary=None,
        view_name="pathways:beneficiary_create",
        acting_organisation=world.prescriber,
        action=AccessLog.Action.DUPLICATE_CHECK,
    )
    assert row.region_id == world.region.pk


def test_record_many_writes_one_row_per_person_in_one_query(world, django_assert_num_queries):
    people = [BeneficiaryFactory(region=world.region) for _ in range(3)]
    with django_assert_num_queries(1):
        count = access_log.record_many(
            user=world.user("trainer"),
            people=[(person, world.training_body.pk) for person in [*people, people[0]]],
            view_name="pathways:session_detail",
        )
    assert count == 3
    assert set(AccessLog.objects.values_list("beneficiary", "region", "acting_organisation")) == {
        (person.pk, world.region.pk, world.training_body.pk) for person in people
    }


def test_record_many_finds_the_regions_of_people_given_by_id(world):
    access_log.record_many(user=world.user("trainer"), people=[(world.beneficiary.pk, None)], view_name="x")
    assert AccessLog.objects.get().region_id == world.region.pk


# --------------------------------------------------------------------------------------------------------------
# The DPO's page: scope


def rows_shown(response):
    return {row.pk for row in response.context["page"].object_list}


def test_an_organisation_s_dpo_reads_the_rows_of_their_organisation_only(world, client_for):
    mine = log(world, user=world.user("trainer"), acting=world.training_body)
    prescriber_row = log(world, acting=world.prescriber)
    referent_row = log(world)  # no acting organisation
    response = client_for(world.user("dpo")).get(reverse("pathways:access_log"))
    assert response.status_code == 200
    assert mine.pk in rows_shown(response)
    assert not {prescriber_row.pk, referent_row.pk} & rows_shown(response)


def test_the_region_s_dpo_reads_every_row_of_the_region_including_reads_without_an_organisation(
    world, adversaries, client_for
):
    dpo = region_dpo(world)
    referent_row = log(world)
    officer_row = log(world, user=world.user("regional_officer"))
    body_row = log(world, user=world.user("trainer"), acting=world.training_body)
    other_region_row = log(world, person=adversaries.other_region_pathway.beneficiary)
    response = client_for(dpo).get(reverse("pathways:access_log"))
    assert {referent_row.pk, officer_row.pk, body_row.pk} <= rows_shown(response)
    assert other_region_row.pk not in rows_shown(response)


def test_a_dpo_of_another_organisation_of_the_region_is_not_the_region_s_dpo(world, client_for):
    region_dpo(world)
    referent_row = log(world)
    response = client_for(world.user("dpo")).get(reverse("pathways:access_log"))
    assert referent_row.pk not in rows_shown(response)


def test_the_dpo_of_another_region_sees_none_of_this_region_s_rows(world, adversaries, client_for):
    other_dpo = Membership.objects.create(
        user=UserFactory(), organisation=adversaries.other_region_body, role=Role.DPO
    ).user
    log(world, user=world.user("trainer"), acting=world.training_body)
    log(world)
    response = client_for(other_dpo).get(reverse("pathways:access_log"))
    assert response.status_code == 200
    assert not rows_shown(response)


@pytest.mark.parametrize("role", ["trainer", "org_manager", "prescriber_adviser", "regional_officer", "admin"])
def test_who_is_not_a_dpo_gets_403(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(reverse("pathways:access_log")).status_code == 403
    assert client.post(reverse("pathways:access_log_export")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("pathways:access_log"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_export_answers_post_only(world, client_for):
    assert client_for(world.user("dpo")).get(reverse("pathways:access_log_export")).status_code == 405


def test_a_deactivated_dpo_reads_nothing(world, client_for):
    membership = world.memberships["dpo"]
    Membership.objects.filter(pk=membership.pk).update(is_active=False, deactivated_at=NOW)
    assert client_for(world.user("dpo")).get(reverse("pathways:access_log")).status_code == 403


# --------------------------------------------------------------------------------------------------------------
# The DPO's page: search, pagination, logging


def test_the_dpo_searches_by_person_name_by_post(world, client_for):
    other = BeneficiaryFactory(region=world.region, first_name="Paul", last_name="Durand")
    zoe = log(world, user=world.user("trainer"), acting=world.training_body)
    paul = log(world, user=world.user("trainer"), acting=world.training_body, person=other)
    client = client_for(world.user("dpo"))
    response = client.post(reverse("pathways:access_log"), {"person": "zoé mart"})
    shown = rows_shown(response)
    assert zoe.pk in shown and paul.pk not in shown
    response = client.post(reverse("pathways:access_log"), {"person": str(other.pk)})
    assert paul.pk in rows_shown(response) and zoe.pk not in rows_shown(response)


def test_the_dpo_searches_by_user_organisation_and_period(world, client_for):
    trainer, manager = world.user("trainer"), world.user("org_manager")
    early = log(world, user=trainer, acting=world.training_body, at=NOW - datetime.timedelta(days=40))
    late = log(world, user=trainer, acting=world.training_body, at=NOW - datetime.timedelta(days=2))
    by_manager = log(world, user=manager, acting=world.training_body, at=NOW - datetime.timedelta(days=2))
    client = client_for(world.user("dpo"))
    response = client.post(reverse("pathways:access_log"), {"user": trainer.email.upper()})
    assert {early.pk, late.pk} <= rows_shown(response) and by_manager.pk not in rows_shown(response)
    response = client.post(
        reverse("pathways:access_log"),
        {"start": (NOW - datetime.timedelta(days=10)).date().isoformat(), "end": NOW.date().isoformat()},
    )
    assert {late.pk, by_manager.pk} <= rows_shown(response) and early.pk not in rows_shown(response)
    response = client.post(reverse("pathways:access_log"), {"organisation": world.training_body.pk})
    assert {early.pk, late.pk, by_manager.pk} <= rows_shown(response)


def test_an_organisation_outside_the_dpo_s_scope_is_not_a_choice(world, adversaries, client_for):
    response = client_for(world.user("dpo")).post(
        reverse("pathways:access_log"), {"organisation": adversaries.other_region_body.pk}
    )
    assert "organisation" in response.context["form"].errors


def test_the_search_names_nobody_in_the_url(world, client_for):
    page = client_for(world.user("dpo")).get(reverse("pathways:access_log")).content.decode()
    assert 'method="post"' in page and 'method="get"' not in page


def test_the_dpo_page_is_paginated_by_post(world, client_for, settings):
    for _ in range(55):
        log(world, user=world.user("trainer"), acting=world.training_body)
    client = client_for(world.user("dpo"))
    first = client.get(reverse("pathways:access_log"))
    assert len(first.context["page"].object_list) == 50
    second = client.post(reverse("pathways:access_log"), {"page": 2})
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) >= 5


def test_reading_the_dpo_page_is_logged_once_per_person_named(world, client_for):
    other = BeneficiaryFactory(region=world.region)
    for person in (world.beneficiary, world.beneficiary, other):
        log(world, user=world.user("trainer"), acting=world.training_body, person=person)
    client_for(world.user("dpo")).get(reverse("pathways:access_log"))
    rows = AccessLog.objects.filter(user=world.user("dpo"), view_name="pathways:access_log")
    assert sorted(rows.values_list("beneficiary", flat=True)) == sorted([world.beneficiary.pk, other.pk])
    assert set(rows.values_list("acting_organisation", flat=True)) == {world.training_body.pk}


def test_a_deleted_person_shows_as_a_number(world, client_for):
    person = BeneficiaryFactory(region=world.region, first_name="Gaspard", last_name="Oublié")
    log(world, user=world.user("trainer"), acting=world.training_body, person=person)
    person_id = person.pk
    person.delete()
    page = client_for(world.user("dpo")).get(reverse("pathways:access_log")).content.decode()
    assert f"Personne n° {person_id} (supprimée)" in page and "Oublié" not in page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_dpo_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, rows):
    people = [BeneficiaryFactory(region=world.region) for _ in range(rows)]
    for person in people:
        log(world, user=world.user("trainer"), acting=world.training_body, person=person)
    client = client_for(world.user("dpo"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("pathways:access_log")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.post(reverse("pathways:access_log"), {"person": "a", "user": "a"}).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# The export


def export_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_export_escapes_formula_like_cells(world, client_for):
    person = BeneficiaryFactory(region=world.region, first_name="=HYPERLINK(1)", last_name="+Durand")
    trainer = world.user("trainer")
    trainer.first_name, trainer.last_name = "@Jean", "-Dupont"
    trainer.save()
    log(world, user=trainer, acting=world.training_body, person=person)
    response = client_for(world.user("dpo")).post(reverse("pathways:access_log_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, *rows = export_rows(response)
    assert len(rows) == 1
    cells = rows[0]
    assert cells[1] == "'@Jean -Dupont"
    assert cells[5].startswith("'=HYPERLINK(1)") or cells[5].startswith("'+DURAND")
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_csv_cell_escapes_each_formula_prefix():
    assert [csv_cell(v) for v in ["=1", "+1", "-1", "@a", "a=1", 12, None]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "a=1",
        "12",
        "",
    ]


def test_the_export_follows_the_search_and_is_itself_logged(world, client_for):
    other = BeneficiaryFactory(region=world.region, first_name="Paul", last_name="Durand")
    log(world, user=world.user("trainer"), acting=world.training_body)
    log(world, user=world.user("trainer"), acting=world.training_body, person=other)
    response = client_for(world.user("dpo")).post(reverse("pathways:access_log_export"), {"person": "Durand"})
    _header, *rows = export_rows(response)
    assert [row[4] for row in rows] == [str(other.pk)]
    exported = AccessLog.objects.get(user=world.user("dpo"), action=AccessLog.Action.EXPORT)
    assert (exported.beneficiary_id, exported.view_name) == (other.pk, "pathways:access_log_export")


def test_the_export_holds_only_the_dpo_s_scope(world, client_for):
    log(world)  # the referent's read: no acting organisation, not the training body's DPO's
    response = client_for(world.user("dpo")).post(reverse("pathways:access_log_export"))
    assert export_rows(response)[1:] == []


# --------------------------------------------------------------------------------------------------------------
# A person's record: who accessed it


def test_the_referent_reads_who_accessed_the_record(world, client_for):
    log(world, user=world.user("trainer"), acting=world.training_body)
    client = client_for(world.user("prescriber_adviser"))
    detail = client.get(reverse("pathways:beneficiary_detail", args=[world.beneficiary.pk])).content.decode()
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.training_body.name in page and world.user("trainer").get_full_name() in page
    assert world.user("trainer").email not in page
    # reading it is a read of the record
    assert AccessLog.objects.filter(user=world.user("prescriber_adviser"), view_name="pathways:beneficiary_access_log")


def test_a_dpo_of_an_organisation_that_sees_the_person_reads_it(world, client_for):
    response = client_for(world.user("dpo")).get(
        reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    )
    assert response.status_code == 200
    row = AccessLog.objects.get(user=world.user("dpo"))
    assert row.acting_organisation == world.training_body


def test_the_region_s_dpo_reads_it(world, client_for):
    dpo = region_dpo(world)
    response = client_for(dpo).get(reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk]))
    assert response.status_code == 200
    assert AccessLog.objects.get(user=dpo).acting_organisation == world.funder


@pytest.mark.parametrize("role", ["trainer", "org_manager", "legal_representative"])
def test_others_who_see_the_person_get_403(world, client_for, role):
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert client_for(world.user(role)).get(url).status_code == 403
    detail = client_for(world.user(role)).get(reverse("pathways:beneficiary_detail", args=[world.beneficiary.pk]))
    assert url not in detail.content.decode()


@pytest.mark.parametrize("role", ["outsider", "regional_officer", "facilitator", "admin"])
def test_who_does_not_see_the_person_gets_404(world, client_for, role):
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert client_for(world.user(role)).get(url).status_code == 404


def test_a_dpo_of_an_organisation_not_involved_gets_404(world, client_for):
    dpo = Membership.objects.create(user=UserFactory(), organisation=world.other_training_body, role=Role.DPO).user
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert client_for(dpo).get(url).status_code == 404


def test_the_dpo_of_another_region_gets_404(world, adversaries, client_for):
    funder = OrganisationFactory(region=adversaries.other_region, funder=True)
    adversaries.other_region.scheme_organisation = funder
    adversaries.other_region.save(update_fields=["scheme_organisation"])
    dpo = Membership.objects.create(user=UserFactory(), organisation=funder, role=Role.DPO).user
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert client_for(dpo).get(url).status_code == 404


def test_the_person_s_page_answers_get_only(world, client_for):
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    assert client_for(world.user("prescriber_adviser")).post(url).status_code == 405


def test_the_person_s_page_is_paginated(world, client_for):
    for _ in range(55):
        log(world, user=world.user("trainer"), acting=world.training_body)
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    response = client_for(world.user("prescriber_adviser")).get(url + "?page=2")
    assert response.context["page"].number == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_the_person_s_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, rows):
    for _ in range(rows):
        log(world, user=world.user("trainer"), acting=world.training_body)
    url = reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    client = client_for(world.user("prescriber_adviser"))
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# The home page links to the log


def test_the_dpo_home_links_to_the_access_log(world, client_for):
    log(world, user=world.user("trainer"), acting=world.training_body)
    response = client_for(world.user("dpo")).get(reverse("pathways:home"))
    assert reverse("pathways:access_log") in response.content.decode()
    assert response.context["access_log_count_30d"] == 1


def test_other_homes_do_not_link_to_the_access_log(world, client_for):
    response = client_for(world.user("org_manager")).get(reverse("pathways:home"))
    assert reverse("pathways:access_log") not in response.content.decode()


# --------------------------------------------------------------------------------------------------------------
# Admin reads


def test_opening_a_notification_about_a_person_in_the_admin_is_logged(world, client_for):
    from django.contrib.admin.utils import quote

    notification = world.notification
    notification.stage = world.stage
    notification.save(update_fields=["stage"])
    admin = world.user("admin")
    response = client_for(admin).get(reverse("admin:notifications_notification_change", args=[quote(notification.pk)]))
    assert response.status_code == 200
    row = AccessLog.objects.get(user=admin)
    assert (row.beneficiary_id, row.view_name, row.region_id) == (
        world.beneficiary.pk,
        "admin:notifications_notification_change",
        world.region.pk,
    )


def test_the_admin_list_of_notifications_writes_no_row(world, client_for):
    client_for(world.user("admin")).get(reverse("admin:notifications_notification_changelist"))
    assert not AccessLog.objects.exists()


def test_opening_an_access_log_row_in_the_admin_is_logged(world, client_for):
    row = log(world)
    admin = world.user("admin")
    response = client_for(admin).get(reverse("admin:accounts_accesslog_change", args=[row.pk]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=admin, beneficiary=world.beneficiary).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_leaves_a_log_the_next_flush_can_empty(world):
    """The test runner empties the database after such a test: on SQLite row by row, which the trigger refuses but
    for the purge that `tests/conftest.py` runs first (on PostgreSQL a TRUNCATE, which no row trigger sees)."""
    log(world)
    assert AccessLog.objects.count() == 1


# --------------------------------------------------------------------------------------------------------------
# The page in words: advisers and DPOs read « Fiche d'une alerte », the technical name stays for the DPO


def test_a_registered_page_reads_as_its_label():
    assert access_log.view_label("pathways:beneficiary_detail") == "Fiche de la personne"
    assert access_log.view_label("attendance:sheet") == "Feuille d'émargement"
    assert access_log.view_label("api:pathway-list") == "API partenaire : liste des parcours"


def test_a_page_without_label_reads_as_its_app_and_raw_name_never_an_error():
    assert access_log.view_label("alerts:page_since_renamed") == "Alertes · alerts:page_since_renamed"
    assert access_log.view_label("nowhere:page") == "nowhere:page"
    assert access_log.view_label("") == "—"
    assert access_log.view_label("admin:notifications_notification_change") == "Administration : notification"


def test_a_page_cannot_get_two_different_labels():
    access_log.register_view_labels({"alerts:alert_detail": "Fiche d'une alerte"})  # the same again: fine
    with pytest.raises(ValueError):
        access_log.register_view_labels({"alerts:alert_detail": "Autre chose"})


def test_the_dpo_page_shows_the_page_in_words_and_its_technical_name_in_a_title(world, client_for):
    log(world, user=world.user("trainer"), acting=world.training_body, view="alerts:alert_detail")
    page = client_for(world.user("dpo")).get(reverse("pathways:access_log")).content.decode()
    assert '<span title="alerts:alert_detail">Fiche d&#x27;une alerte</span>' in page
    assert "<code>alerts:alert_detail</code>" not in page


def test_the_person_s_page_shows_the_page_in_words(world, client_for):
    log(world, user=world.user("trainer"), acting=world.training_body, view="attendance:sheet")
    response = client_for(world.user("prescriber_adviser")).get(
        reverse("pathways:beneficiary_access_log", args=[world.beneficiary.pk])
    )
    page = response.content.decode()
    assert '<span title="attendance:sheet">Feuille d&#x27;émargement</span>' in page
    assert "<code>attendance:sheet</code>" not in page


def test_the_export_gives_the_page_in_words_then_its_technical_name(world, client_for):
    log(world, user=world.user("trainer"), acting=world.training_body, view="pathways:pathway_list", action="export")
    response = client_for(world.user("dpo")).post(reverse("pathways:access_log_export"))
    header, *rows = export_rows(response)
    assert header[-2:] == ["Page", "Nom technique de la page"]
    assert rows[0][-2:] == ["Liste des parcours", "pathways:pathway_list"]


def test_the_right_of_access_export_gives_the_page_in_words_then_its_technical_name(world):
    from accounts import personal_data

    log(world, user=world.user("trainer"), acting=world.training_body, view="checklist:detail")
    sections = {s["model"]: s for s in personal_data.export(world.beneficiary)}
    row = sections["accounts.AccessLog"]["rows"][0]
    assert row["page"] == "Fiche d'une check-list"
    assert row["nom technique de la page"] == "checklist:detail"
    assert row["qui"] == str(world.user("trainer")) and row["au titre de"] == str(world.training_body)
