"""The retention job (accounts.retention) on hand-built data of each category, on a frozen clock."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from accounts import retention
from accounts.models import AccessLog, PersonRetention, RetentionPolicy
from accounts.personal_data import ANONYMISED, ANONYMISED_NAME
from attendance.models import FollowUpAttempt, StatementExport
from dashboards import rollups
from dashboards.models import MonthlyRollup
from notifications.models import Notification, Todo
from pathways.models import Beneficiary, JoinRequest, Pathway
from ruptures.models import Rupture, SkillsAttestation
from ruptures.rates import rupture_rate
from speaking_groups.models import PostRuptureCase, SpeakingGroup, Workshop
from tests.ruptures.declaring import declare

PARIS = ZoneInfo("Europe/Paris")
COMMENT = "Elle dort chez une amie depuis son expulsion."


def at(day: datetime.date, hour: int = 9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def run_on(day: datetime.date) -> retention.Report:
    with time_machine.travel(at(day, 4), tick=False):
        return retention.run()


@pytest.fixture
def closed(world):
    """The world's person after a rupture (comment, reminder), a skills attestation file, her pathway closed with a
    reason 24 months (the default) before `due`, ten days from now."""
    rupture = declare(world, comment=COMMENT)
    FollowUpAttempt.objects.create(
        drift=world.drift,
        channel=FollowUpAttempt.Channel.values[0],
        outcome=FollowUpAttempt.Outcome.values[0],
        comment="Sa mère dit qu'elle est à l'hôpital.",
        by=world.user("trainer"),
    )
    attestation = SkillsAttestation.objects.create(
        rupture=rupture, skills="Accueil du public", requested_by=world.user("trainer")
    )
    attestation.file.save("attestation.pdf", ContentFile(b"%PDF-1.4 Zoe Martin"), save=True)
    JoinRequest.objects.filter(pk=world.join_request.pk).update(message="Je la connais bien, Zoé.")
    due = world.today + datetime.timedelta(days=10)
    Pathway.objects.filter(pk=world.pathway.pk).update(
        status=Pathway.Status.CLOSED,
        closed_at=at(due - relativedelta(months=24), 15),
        closure_reason="Partie vivre chez sa sœur à Lyon.",
    )
    return {"due": due, "rupture": rupture, "attestation": attestation, "world": world}


def person(world) -> Beneficiary:
    return Beneficiary.objects.get(pk=world.beneficiary.pk)


def test_nothing_happens_to_a_person_with_an_open_pathway(world):
    for day in (world.today, world.today + relativedelta(years=10)):
        report = run_on(day)
        assert (report.notices, report.people) == (0, 0)
    assert person(world).first_name == "Zoé"


def test_the_referent_is_told_30_days_before_and_only_once(closed):
    world, due = closed["world"], closed["due"]
    assert run_on(due - datetime.timedelta(days=31)).notices == 0
    assert not Todo.objects.filter(owner=world.user("prescriber_adviser")).exists()

    assert run_on(due - datetime.timedelta(days=30)).notices == 1
    todo = Todo.objects.get(owner=world.user("prescriber_adviser"))
    assert todo.due_on == due
    assert "Zoé" not in todo.title + todo.context and "Martin" not in todo.title + todo.context
    assert todo.url == world.beneficiary.get_absolute_url()
    # and a notification, in the app and by e-mail (which names no one), leading to the person's page
    told = Notification.objects.filter(recipient=world.user("prescriber_adviser"), kind="retention_notice")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "in_app"]
    assert {n.url for n in told} == {world.beneficiary.get_absolute_url()}
    message = told.get(channel="in_app").message
    assert due.strftime("%d/%m/%Y") in message and "Zoé" not in message

    assert run_on(due - datetime.timedelta(days=29)).notices == 0
    assert Todo.objects.filter(owner=world.user("prescriber_adviser")).count() == 1
    assert told.count() == 2
    assert person(world).first_name == "Zoé"


def test_named_data_is_anonymised_on_the_due_day_not_a_day_before(closed):
    world, due = closed["world"], closed["due"]
    run_on(due - datetime.timedelta(days=30))
    assert run_on(due - datetime.timedelta(days=1)).people == 0
    assert person(world).first_name == "Zoé"

    assert run_on(due).people == 1

    anonymised = person(world)
    assert (anonymised.first_name, anonymised.last_name, anonymised.email, anonymised.phone) == (
        ANONYMISED_NAME,
        ANONYMISED_NAME,
        "",
        "",
    )
    assert PersonRetention.objects.get(beneficiary=anonymised).anonymised_at is not None
    rupture = Rupture.objects.get(pk=closed["rupture"].pk)
    assert rupture.comment == ANONYMISED
    assert Pathway.objects.get(pk=world.pathway.pk).closure_reason == ANONYMISED
    assert FollowUpAttempt.objects.get(drift=world.drift).comment == ANONYMISED
    join = JoinRequest.objects.get(pk=world.join_request.pk)
    assert (join.typed_name, join.message) == (ANONYMISED_NAME, ANONYMISED)
    # The stage's dates and the rupture's kind and causes, what the figures read, stay.
    assert rupture.kind == closed["rupture"].kind and rupture.main_cause == closed["rupture"].main_cause
    assert rupture.occurred_on == closed["rupture"].occurred_on


def test_stored_files_about_the_person_are_deleted(closed):
    name = closed["attestation"].file.name
    assert default_storage.exists(name)
    run_on(closed["due"] - datetime.timedelta(days=30))
    run_on(closed["due"])
    assert not default_storage.exists(name)
    assert SkillsAttestation.objects.get(pk=closed["attestation"].pk).file.name == ""


def test_a_person_anonymised_is_never_processed_twice(closed):
    due = closed["due"]
    run_on(due - datetime.timedelta(days=30))
    assert run_on(due).people == 1
    for later in (due, due + datetime.timedelta(days=1), due + relativedelta(years=3)):
        report = run_on(later)
        assert (report.notices, report.people) == (0, 0)


def test_the_statistics_do_not_change(closed):
    world, due = closed["world"], closed["due"]
    start, end = world.today - relativedelta(years=1), world.today + relativedelta(years=1)
    rollups.rebuild()
    rate_before = rupture_rate(start=start, end=end)
    rollup_before = sorted(MonthlyRollup.objects.values_list("month", "organisation", "entrants", "ruptures"))
    assert rate_before.ruptures == 1

    run_on(due - datetime.timedelta(days=30))
    run_on(due)
    assert person(world).first_name == ANONYMISED_NAME

    rollups.rebuild()
    assert rupture_rate(start=start, end=end) == rate_before
    assert sorted(MonthlyRollup.objects.values_list("month", "organisation", "entrants", "ruptures")) == rollup_before


def test_a_region_may_keep_named_data_for_less_time(closed):
    world, due = closed["world"], closed["due"]
    RetentionPolicy.objects.create(region=world.region, category="pathway", months=12)
    # 12 months after the closure is long past: told today, anonymised 30 days later (never without notice).
    assert run_on(world.today).notices == 1
    assert run_on(world.today + datetime.timedelta(days=29)).people == 0
    assert run_on(world.today + datetime.timedelta(days=30)).people == 1
    assert due > world.today  # the default duration would not have expired yet


def test_dry_run_lists_ids_and_counts_and_changes_nothing(closed):
    world, due = closed["world"], closed["due"]
    run_on(due - datetime.timedelta(days=30))
    out = StringIO()
    with time_machine.travel(at(due, 4), tick=False):
        call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"people to anonymise: 1 [{world.beneficiary.pk}]" in text
    assert "Zoé" not in text and "Martin" not in text
    assert person(world).first_name == "Zoé"
    assert PersonRetention.objects.get(beneficiary=world.beneficiary).anonymised_at is None

    out = StringIO()
    with time_machine.travel(at(due, 4), tick=False):
        call_command("retention", stdout=out)
    assert "people anonymised: 1" in out.getvalue()
    assert person(world).first_name == ANONYMISED_NAME


def test_facilitator_notes_are_anonymised_a_year_after_the_case_closes(world):
    """The person's pathway is open: only the notes, on their own clock, go."""
    rupture = declare(world)
    outcome_on = world.today - relativedelta(months=12) + datetime.timedelta(days=1)
    case = PostRuptureCase.objects.create(
        rupture=rupture,
        support_organisation=world.support,
        notes="Parle de violences à la maison.",
        outcome=PostRuptureCase.Outcome.values[0],
        outcome_on=outcome_on,
    )
    assert run_on(world.today).rows == {}
    assert PostRuptureCase.objects.get(pk=case.pk).notes == "Parle de violences à la maison."

    assert run_on(world.today + datetime.timedelta(days=1)).rows == {"speaking_groups.PostRuptureCase": 1}
    assert PostRuptureCase.objects.get(pk=case.pk).notes == ANONYMISED
    assert person(world).first_name == "Zoé"
    assert run_on(world.today + datetime.timedelta(days=2)).rows == {}


def test_workshop_notes_are_anonymised_a_year_after_the_group_closes(world):
    group = SpeakingGroup.objects.create(
        support_organisation=world.support,
        training_body=world.training_body,
        name="Groupe du mardi",
        closed_on=world.today,
    )
    workshop = Workshop.objects.create(
        group=group,
        session=world.session,
        date=world.today,
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        theme="Le budget",
        notes="Zoé a parlé de sa dette.",
    )
    assert run_on(world.today + relativedelta(months=12) - datetime.timedelta(days=1)).rows == {}
    assert run_on(world.today + relativedelta(months=12)).rows == {"speaking_groups.Workshop": 1}
    assert Workshop.objects.get(pk=workshop.pk).notes == ANONYMISED


def test_monthly_statement_files_are_deleted_three_months_after_they_were_built(world):
    statement = StatementExport.objects.create(
        session=world.session,
        month=world.today.replace(day=1),
        format=StatementExport.Format.values[0],
        requested_by=world.user("trainer"),
        status=StatementExport.Status.READY,
        finished_at=at(world.today),
    )
    statement.file.save("etat.pdf", ContentFile(b"%PDF-1.4 Zoe Martin"), save=True)
    name = statement.file.name
    assert run_on(world.today + relativedelta(months=3) - datetime.timedelta(days=1)).rows == {}
    assert default_storage.exists(name)
    assert run_on(world.today + relativedelta(months=3)).rows == {"attendance.StatementExport": 1}
    assert not default_storage.exists(name)
    assert StatementExport.objects.get(pk=statement.pk).month == world.today.replace(day=1)


def test_access_log_rows_are_purged_after_a_year(world):
    AccessLog.objects.create(user=world.user("trainer"), beneficiary=world.beneficiary, view_name="pathways:x")
    assert run_on(world.today + relativedelta(months=12) - datetime.timedelta(days=1)).access_log_rows == 0
    assert run_on(world.today + relativedelta(months=12)).access_log_rows == 1
    assert not AccessLog.objects.exists()


def test_the_beat_schedule_runs_the_job_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-retention"]
    assert entry["task"] == "accounts.tasks.retention_task"


# --- Erasure: "anonymiser maintenant" ----------------------------------------------------------------------------


def erase_url(world):
    return reverse("pathways:beneficiary_anonymise", args=[world.beneficiary.pk])


def test_erasure_is_refused_while_a_pathway_is_open(world, client_for):
    client = client_for(world.user("dpo"))
    page = client.get(erase_url(world))
    assert page.status_code == 200
    assert "clôturez-le avant" in page.content.decode()
    response = client.post(erase_url(world), follow=True)
    assert "clôturez-le avant" in response.content.decode()
    assert person(world).first_name == "Zoé"
    assert not PersonRetention.objects.filter(anonymised_at__isnull=False).exists()


@pytest.mark.parametrize("role", ["dpo", "admin"])
def test_the_dpo_or_an_administrator_anonymises_a_person_whose_pathways_are_closed(closed, client_for, role):
    world = closed["world"]
    client = client_for(world.user(role))
    page = client.get(erase_url(world))
    assert "Anonymiser maintenant" in page.content.decode()
    response = client.post(erase_url(world))
    assert response.status_code == 302
    assert person(world).first_name == ANONYMISED_NAME
    record = PersonRetention.objects.get(beneficiary=world.beneficiary)
    assert (record.reason, record.anonymised_by) == ("erasure", world.user(role))
    logged = AccessLog.objects.filter(
        beneficiary=world.beneficiary, user=world.user(role), action=AccessLog.Action.CHANGE
    ).get()
    assert logged.view_name == "pathways:beneficiary_anonymise"
    assert logged.acting_organisation == (world.training_body if role == "dpo" else None)
    # The job finds nothing more to do with her.
    assert run_on(closed["due"]).people == 0


@pytest.mark.parametrize(("role", "status"), [("prescriber_adviser", 403), ("trainer", 403), ("outsider", 404)])
def test_others_may_not_erase(closed, client_for, role, status):
    world = closed["world"]
    client = client_for(world.user(role))
    assert client.get(erase_url(world)).status_code == status
    assert client.post(erase_url(world)).status_code == status
    assert person(world).first_name == "Zoé"


def test_a_dpo_whose_organisation_the_person_objected_to_may_not_erase_her(closed, client_for):
    """The objection takes the person out of the DPO's remit (their data-protection page answers 404): erasing her
    does too, and writes nothing."""
    from accounts.services import sharing_objection_record

    world = closed["world"]
    sharing_objection_record(
        beneficiary=world.beneficiary, organisation=world.training_body, by=world.user("prescriber_adviser")
    )
    client = client_for(world.user("dpo"))
    assert client.get(reverse("pathways:dpo_person", args=[world.beneficiary.pk])).status_code == 404
    assert client.get(erase_url(world)).status_code == 404
    assert client.post(erase_url(world)).status_code == 404
    assert person(world).first_name == "Zoé"
    assert not PersonRetention.objects.filter(anonymised_at__isnull=False).exists()


def test_erasure_asks_to_log_in_and_takes_no_other_method(closed, client_for):
    world = closed["world"]
    assert client_for(None).get(erase_url(world)).status_code == 302
    assert client_for(world.user("dpo")).put(erase_url(world)).status_code == 405


def test_a_region_keeps_its_access_log_at_least_six_months(world):
    policy = RetentionPolicy(region=world.region, category="access_log", months=5)
    with pytest.raises(ValidationError):
        policy.full_clean()
    policy.months = 6
    policy.full_clean()


def test_a_region_s_own_access_log_duration_applies_to_the_rows_of_its_people_only(world, adversaries):
    """The world's region keeps its access log 6 months, the other region and the rows of no region the default
    (12): the dry run counts, and the job purges, exactly those."""
    RetentionPolicy.objects.create(region=world.region, category="access_log", months=6)
    trainer = world.user("trainer")
    ours = AccessLog.objects.create(user=trainer, beneficiary=world.beneficiary, region=world.region, view_name="x")
    theirs = AccessLog.objects.create(user=trainer, region=adversaries.other_region, view_name="x")
    nobodys = AccessLog.objects.create(user=trainer, view_name="x")
    six_months = world.today + relativedelta(months=6)
    assert retention.plan(today=six_months - datetime.timedelta(days=1)).access_log_rows == 0
    assert retention.plan(today=six_months).access_log_rows == 1
    assert run_on(six_months).access_log_rows == 1
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {theirs.pk, nobodys.pk}
    assert not AccessLog.objects.filter(pk=ours.pk).exists()
    year = world.today + relativedelta(months=12)
    assert run_on(year - datetime.timedelta(days=1)).access_log_rows == 0
    assert run_on(year).access_log_rows == 2
    assert not AccessLog.objects.exists()
