"""Points "at risk" alert the prescriber once, when the checklist is submitted; what the alert says depends on the
person's agreement to share; health comments are read only by the training body and the referent."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from alerts.models import Alert
from checklist.models import Answer, Checklist
from checklist.services import checklist_submit
from notifications.models import Notification
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.checklist.factories import fill, submitted

pytestmark = pytest.mark.django_db

RISKS = {"housing": Answer.RISK, "transport": Answer.RISK, "budget": Answer.WATCH, "health": Answer.RISK}
COMMENTS = {"health": "Traitement lourd, rendez-vous à l'hôpital chaque mardi.", "housing": "Hébergée chez un ami."}


def alert_rows(alert, user):
    return Notification.objects.filter(cause_key=f"alert:{alert.pk}", recipient=user)


def test_submitting_with_risks_alerts_the_prescriber_once_listing_them(world, client_for):
    trainer, adviser = world.user("trainer"), world.user("prescriber_adviser")
    checklist, revision = submitted(world.stage, trainer, answers=RISKS, comments=COMMENTS)
    alert = Alert.objects.get(kind="checklist_risk")
    assert (alert.checklist_revision, alert.stage, alert.inbox) == (revision, world.stage, world.prescriber)
    assert set(revision.new_risk_items) == {"housing", "transport", "health"}
    in_app = alert_rows(alert, adviser).get(channel="in_app")
    assert "Logement stable" in in_app.message and "Transport" in in_app.message
    assert "Budget" not in in_app.message  # "à surveiller" is shown on the pathway, not alerted
    # The funder is not alerted of a checklist; the trainer who submitted it is not told of their own alert.
    assert not Notification.objects.filter(cause_key=f"alert:{alert.pk}", recipient=world.user("regional_officer"))
    assert not alert_rows(alert, trainer).exists()
    # Like any alert: in the prescriber's inbox, acknowledged, an action recorded.
    client = client_for(adviser)
    assert alert in client.get(reverse("alerts:alert_list")).context["page"].object_list
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "Risques repérés avant l'entrée" in page and "Hébergée chez un ami." in page
    client.post(reverse("alerts:alert_acknowledge", args=[alert.pk]))
    client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "called", "note": "Appelée."})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTED
    # Submitting again with nothing changed alerts no one.
    assert checklist_submit(checklist=checklist, by=trainer)[1] is False
    assert Alert.objects.count() == 1


def test_a_new_revision_alerts_only_for_points_that_became_at_risk(world):
    trainer = world.user("trainer")
    checklist, _first = submitted(world.stage, trainer, answers={"housing": Answer.RISK})
    fill(world.stage, trainer, answers={"housing": Answer.RISK, "childcare": Answer.RISK, "budget": Answer.WATCH})
    second, _created = checklist_submit(checklist=checklist, by=trainer)
    assert second.new_risk_items == ["childcare"]
    assert Alert.objects.count() == 2
    fill(world.stage, trainer, answers={"housing": Answer.RISK, "childcare": Answer.RISK, "budget": Answer.RISK})
    third, _created = checklist_submit(checklist=checklist, by=trainer)
    assert third.new_risk_items == ["budget"]
    fill(world.stage, trainer, answers={"housing": Answer.RISK, "childcare": Answer.RISK})  # budget back to OK
    fourth, _created = checklist_submit(checklist=checklist, by=trainer)
    assert fourth.new_risk_items == [] and Alert.objects.count() == 3


def test_without_the_persons_agreement_the_alert_says_only_that_a_risk_needs_a_contact(world, client_for):
    adviser = world.user("prescriber_adviser")
    _checklist, _revision = submitted(
        world.stage, world.user("trainer"), consent=False, answers=RISKS, comments=COMMENTS
    )
    alert = Alert.objects.get()
    message = alert_rows(alert, adviser).get(channel="in_app").message
    assert "nécessite un contact avec la personne" in message and "Logement" not in message
    page = client_for(adviser).get(alert.get_absolute_url()).content.decode()
    assert "Des risques (3) nécessitent un contact avec la personne." in page
    assert "Hébergée" not in page and "Logement stable" not in page
    # And the checklist is out of the prescriber's scope.
    checklist = Checklist.objects.get()
    assert client_for(adviser).get(checklist.get_absolute_url()).status_code == 404


def test_emails_and_sms_of_a_checklist_alert_carry_no_name(world):
    from django.core import mail

    from notifications.services import deliver_cause

    adviser = world.user("prescriber_adviser")
    adviser.phone = "0612345678"
    adviser.save()
    submitted(world.stage, world.user("trainer"), answers=RISKS)
    alert = Alert.objects.get()
    deliver_cause(f"alert:{alert.pk}")
    bodies = [m.subject + m.body for m in mail.outbox]
    assert bodies and all("Zoé" not in body and "MARTIN" not in body and "Logement" not in body for body in bodies)


@pytest.mark.parametrize(
    ("role", "sees_comment"),
    [
        ("trainer", True),  # the training body that filled it
        ("org_manager", True),
        ("prescriber_adviser", True),  # the referent of the world's pathway
        ("legal_representative", False),  # the prescriber's manager: the item's status only
    ],
)
def test_health_comments_are_read_by_the_training_body_and_the_referent_only(world, client_for, role, sees_comment):
    checklist, _revision = submitted(world.stage, world.user("trainer"), answers=RISKS, comments=COMMENTS)
    page = client_for(world.user(role)).get(checklist.get_absolute_url()).content.decode()
    assert ("Traitement lourd" in page) is sees_comment
    assert "Hébergée chez un ami." in page  # other comments: everyone who sees the checklist
    assert "Contraintes de santé compatibles" in page


def test_the_alert_page_hides_health_comments_from_the_prescribers_manager(world, client_for):
    submitted(world.stage, world.user("trainer"), answers=RISKS, comments=COMMENTS)
    alert = Alert.objects.get()
    manager_page = client_for(world.user("legal_representative")).get(alert.get_absolute_url()).content.decode()
    assert "Contraintes de santé compatibles" in manager_page and "Traitement lourd" not in manager_page
    assert "Commentaire réservé à l" in manager_page
    referent_page = client_for(world.user("prescriber_adviser")).get(alert.get_absolute_url()).content.decode()
    assert "Traitement lourd" in referent_page


def test_a_prescriber_not_named_by_the_consent_does_not_see_it(world, client_for):
    checklist, _revision = submitted(world.stage, world.user("trainer"), scope=Checklist.ConsentScope.REFERENT)
    assert client_for(world.user("legal_representative")).get(checklist.get_absolute_url()).status_code == 404
    assert client_for(world.user("prescriber_adviser")).get(checklist.get_absolute_url()).status_code == 200  # referent
    assert client_for(world.user("trainer")).get(checklist.get_absolute_url()).status_code == 200


def test_an_agreement_for_the_referent_only_keeps_the_points_out_of_the_prescribers_message(world, client_for):
    world.pathway.referent = world.user("org_manager")  # of the training body: the adviser is no longer referent
    world.pathway.save()
    submitted(world.stage, world.user("trainer"), answers=RISKS, scope=Checklist.ConsentScope.REFERENT)
    alert = Alert.objects.get()
    message = alert_rows(alert, world.user("prescriber_adviser")).get(channel="in_app").message
    assert "nécessite un contact avec la personne" in message and "Logement" not in message
    page = client_for(world.user("prescriber_adviser")).get(alert.get_absolute_url()).content.decode()
    assert "Logement stable" not in page
    referent_page = client_for(world.user("org_manager")).get(alert.get_absolute_url()).content.decode()
    assert "Logement stable" in referent_page


def test_an_unacknowledged_checklist_alert_escalates_to_the_managers_not_the_funder(world):
    import datetime

    from django.utils import timezone

    from alerts.services import alerts_escalate

    submitted(world.stage, world.user("trainer"), answers=RISKS)
    assert alerts_escalate(today=timezone.localdate() + datetime.timedelta(days=7)) == 1
    told = set(
        Notification.objects.filter(kind="alert_escalated", channel="in_app").values_list("recipient", flat=True)
    )
    assert told == {world.user("legal_representative").pk}  # the prescriber's manager; a risk is not the funder's


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_alert_once(world):
    from tests.conftest import require_service

    require_service(connection.vendor == "postgresql", "concurrent submissions need PostgreSQL (DATABASE_URL)")
    trainer = world.user("trainer")
    colleague = Membership.objects.create(
        user=UserFactory(), organisation=world.training_body, role=Membership.Role.PEDAGOGICAL_MANAGER
    ).user
    checklist = fill(world.stage, trainer, answers=RISKS)
    from checklist.services import consent_record

    consent_record(checklist=checklist, by=trainer, consent=True, scope=Checklist.ConsentScope.BOTH)
    barrier = threading.Barrier(2)
    results = []

    def submit(user):
        from django.db import connections

        try:
            barrier.wait()
            results.append(checklist_submit(checklist=Checklist.objects.get(pk=checklist.pk), by=user)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(user,)) for user in (trainer, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Alert.objects.filter(kind="checklist_risk").count() == 1
