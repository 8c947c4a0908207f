"""Who hears of an alert and what each one sees (issue 15, leaks 1 and 2): only the regional officers of the funder
of the stage's training action are alerted, and they see the person, the stage, the nature, the date and the cause
families, not the free texts; an alert, a notification's content and a to-do are read only while the current
memberships allow it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import Alert
from notifications.models import Notification
from notifications.services import notify
from notifications.todos import todo_set
from pathways.models import Membership, Stage
from pathways.services.memberships import membership_deactivate
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory, StageFactory
from tests.ruptures.declaring import declare

Role = Membership.Role
COMMENT, REASON, NOTE = "COMMENTAIRE-LIBRE-7731", "MOTIF-SANS-RELANCE-7731", "NOTE-DE-SUIVI-7731"


def officer_of(organisation):
    return Membership.objects.create(user=UserFactory(), organisation=organisation, role=Role.REGIONAL_OFFICER).user


@pytest.fixture
def other_funder(world):
    """A funder of the same region, serving every basin, that does not fund the world's training action (an OPCO)."""
    return OrganisationFactory(name="OPCO EP Nouvelle-Aquitaine", region=world.region, funder=True)


@pytest.fixture
def alert(world):
    rupture = declare(world, comment=COMMENT, no_reminder_reason=REASON)
    alert_services.alert_act(alert=rupture.alert, by=world.user("prescriber_adviser"), kind="called", note=NOTE)
    return rupture.alert


def told(alert):
    return set(Notification.objects.filter(cause_key=f"alert:{alert.pk}").values_list("recipient", flat=True))


def test_a_rupture_alerts_the_regional_officers_of_the_stages_funder_only(world, other_funder):
    opco_officer = officer_of(other_funder)
    alert = declare(world).alert
    assert world.user("regional_officer").pk in told(alert)
    assert opco_officer.pk not in told(alert)


def test_the_escalation_reaches_the_stages_funder_only(world, other_funder, alert):
    opco_officer = officer_of(other_funder)
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.NEW, acknowledged_at=None)
    assert alert_services.alerts_escalate(today=timezone.localdate() + datetime.timedelta(days=10)) == 1
    escalated = set(
        Notification.objects.filter(cause_key=f"alert:{alert.pk}:escalated").values_list("recipient", flat=True)
    )
    assert world.user("regional_officer").pk in escalated and opco_officer.pk not in escalated


def test_a_stage_outside_a_session_alerts_no_funder(world):
    stage = StageFactory(
        pathway=world.pathway,
        organisation=world.training_body,
        kind=Stage.Kind.IMMERSION,
        status=Stage.Status.IN_PROGRESS,
        actual_start=world.stage.actual_start,
        planned_start=world.stage.planned_start,
    )
    alert = declare(world, stage=stage).alert
    assert world.user("regional_officer").pk not in told(alert)


def test_another_funder_of_the_region_sees_nothing_of_the_alert(world, other_funder, alert, client_for):
    client = client_for(officer_of(other_funder))
    assert client.get(alert.get_absolute_url()).status_code == 404
    inbox = client.get(reverse("alerts:alert_list"))
    assert list(inbox.context["page"].object_list) == []
    assert "Zoé" not in inbox.content.decode() and "MARTIN" not in inbox.content.decode()
    assert client.post(reverse("alerts:alert_acknowledge", args=[alert.pk])).status_code == 404


def test_the_funder_sees_what_it_needs_to_act_and_no_free_text(world, alert, client_for):
    page = client_for(world.user("regional_officer")).get(alert.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Zoé MARTIN" in body and "Abandon" in body and "Conditions de participation" in body
    assert world.stage.organisation.name in body
    for secret in (COMMENT, REASON, NOTE, "Transport, mobilité"):
        assert secret not in body, secret
    assert world.pathway.get_absolute_url() not in body  # no way into the pathway it does not see


def test_the_partners_who_follow_the_person_see_the_free_texts(world, alert, client_for):
    body = client_for(world.user("trainer")).get(alert.get_absolute_url()).content.decode()
    assert COMMENT in body and REASON in body and NOTE in body


def test_a_funder_sees_no_checklist_alert(world, client_for):
    from tests.checklist.factories import submitted

    submitted(world.stage, world.user("trainer"), answers={"housing": "risk"})
    alert = Alert.objects.get(kind="checklist_risk")
    assert world.user("regional_officer").pk not in told(alert)
    assert client_for(world.user("regional_officer")).get(alert.get_absolute_url()).status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# Access ends with the membership


def test_an_adviser_whose_memberships_end_no_longer_reads_the_alert_its_notifications_or_to_dos(
    world, alert, client_for
):
    adviser = world.user("prescriber_adviser")
    todo_set(
        source_key="test:1",
        owner=adviser,
        title="Appeler Zoé MARTIN",
        due_on=timezone.localdate(),
        by=adviser,
        stage=world.stage,
    )
    client = client_for(adviser)
    assert client.get(alert.get_absolute_url()).status_code == 200
    Membership.objects.filter(user=adviser).update(is_active=False, deactivated_at=timezone.now())
    client = client_for(adviser)
    assert client.get(alert.get_absolute_url()).status_code == 404
    for name in ("alerts:alert_list", "notifications:inbox", "notifications:todo_list", "alerts:alert_badge"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Zoé" not in response.content.decode() and "MARTIN" not in response.content.decode(), name
    assert Notification.objects.inbox(adviser).exists()  # still there, but no longer readable


def test_a_deactivated_funder_officer_loses_the_alert_at_once(world, alert, client_for):
    officer = world.user("regional_officer")
    membership = world.memberships["regional_officer"]
    membership_deactivate(membership=membership, by=world.user("admin"), referents={}, advisers={})
    client = client_for(officer)
    assert client.get(alert.get_absolute_url()).status_code == 404
    assert "Zoé" not in client.get(reverse("notifications:inbox")).content.decode()


def test_a_notification_about_a_person_out_of_scope_is_masked(world, client_for):
    outsider = world.user("outsider")
    notify(
        recipients=[outsider],
        kind="stage_transition",
        cause_key="test:masked",
        params={"person": "Zoé MARTIN", "stage_kind": "qualifying_training", "action": "start", "date": "2026-11-02"},
        stage=world.stage,
    )
    Notification.objects.filter(cause_key="test:masked").update(status="delivered", delivered_at=timezone.now())
    body = client_for(outsider).get(reverse("notifications:inbox")).content.decode()
    assert "Zoé" not in body and "Contenu masqué" in body


def test_a_to_do_about_a_person_out_of_scope_is_not_listed(world, client_for):
    outsider = world.user("outsider")
    todo_set(
        source_key="test:2",
        owner=outsider,
        title="Zoé MARTIN",
        due_on=timezone.localdate(),
        by=outsider,
        stage=world.stage,
    )
    body = client_for(outsider).get(reverse("notifications:todo_list")).content.decode()
    assert "Zoé MARTIN" not in body


def test_a_to_do_handed_to_someone_else_leaves_no_text_in_its_former_owners_reminders(world, client_for):
    from notifications.todos import todos_remind_overdue

    adviser, trainer = world.user("prescriber_adviser"), world.user("trainer")
    due = timezone.localdate() - datetime.timedelta(days=2)
    todo_set(
        source_key="test:3", owner=adviser, title="MARQUEUR-ACTION-SANTE", due_on=due, by=trainer, stage=world.stage
    )
    assert todos_remind_overdue() == 1
    Notification.objects.filter(cause_key__startswith="todo:").update(status="delivered", delivered_at=timezone.now())
    assert "MARQUEUR-ACTION-SANTE" in client_for(adviser).get(reverse("notifications:inbox")).content.decode()
    todo_set(
        source_key="test:3", owner=trainer, title="MARQUEUR-ACTION-SANTE", due_on=due, by=trainer, stage=world.stage
    )
    body = client_for(adviser).get(reverse("notifications:inbox")).content.decode()
    assert "MARQUEUR-ACTION-SANTE" not in body and "a depuis été confiée" in body
