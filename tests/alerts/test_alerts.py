"""The alert inbox, an alert's page, acknowledging and acting, escalation."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertAction
from notifications.models import Notification
from pathways.models import Membership
from ruptures.services import rupture_declare
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory
from tests.ruptures.declaring import declare


@pytest.fixture
def alert(world):
    return declare(world).alert


def test_the_adviser_sees_the_alert_in_the_inbox_and_its_page(world, alert, client_for):
    client = client_for(world.user("prescriber_adviser"))
    response = client.get(reverse("alerts:alert_list"))
    assert [a.pk for a in response.context["page"].object_list] == [alert.pk]
    page = client.get(alert.get_absolute_url()).content.decode()
    assert "Zoé MARTIN" in page and "Transport, mobilité" in page
    assert "Je prends en compte cette alerte" in page


def test_the_inbox_polls_a_fragment(world, alert, client_for):
    response = client_for(world.user("prescriber_adviser")).get(reverse("alerts:alert_list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content and "Zoé MARTIN" in content


def test_polling_is_neither_activity_nor_a_record_read(world, alert, client_for):
    from django.contrib.sessions.models import Session

    from accounts.models import AccessLog

    client = client_for(world.user("prescriber_adviser"))
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30)):
        client.get(reverse("alerts:alert_list"), HTTP_HX_REQUEST="true")
        client.get(reverse("alerts:alert_badge"))
    assert Session.objects.get(session_key=key).expire_date == before
    assert not AccessLog.objects.exists()


def test_the_badge_counts_new_alerts(world, alert, client_for):
    content = client_for(world.user("prescriber_adviser")).get(reverse("alerts:alert_badge")).content.decode()
    assert ">1<" in content
    services.alert_acknowledge(alert=alert, by=world.user("prescriber_adviser"))
    content = client_for(world.user("prescriber_adviser")).get(reverse("alerts:alert_badge")).content.decode()
    assert "badge" not in content


def test_the_regional_officer_opens_the_alert_addressed_to_them_but_not_the_pathway(world, alert, client_for):
    client = client_for(world.user("regional_officer"))
    page = client.get(alert.get_absolute_url())
    assert page.status_code == 200
    assert client.get(world.pathway.get_absolute_url()).status_code == 404
    # The page offers no link the officer could not open (issue 21: "Ouvrir le parcours" gave them a 404).
    stage_url = alert.stage.get_absolute_url()
    assert stage_url not in page.content.decode()
    assert "Ouvrir le parcours" not in page.content.decode()
    assert client.post(reverse("alerts:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert stage_url in client_for(world.user("prescriber_adviser")).get(alert.get_absolute_url()).content.decode()


def test_an_adviser_of_another_prescriber_gets_404(world, alert, client_for):
    other = Membership.objects.create(
        user=UserFactory(),
        organisation=OrganisationFactory(prescriber=True, region=world.region),
        role=Membership.Role.PRESCRIBER_ADVISER,
    ).user
    client = client_for(other)
    assert client.get(alert.get_absolute_url()).status_code == 404
    assert client.post(reverse("alerts:alert_acknowledge", args=[alert.pk])).status_code == 404
    assert list(client.get(reverse("alerts:alert_list")).context["page"].object_list) == []


def test_acknowledge_then_act(world, alert, client_for):
    client = client_for(world.user("prescriber_adviser"))
    assert client.post(reverse("alerts:alert_acknowledge", args=[alert.pk])).status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_by == world.user("prescriber_adviser")
    client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "meeting", "note": "RDV jeudi"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTED
    assert AlertAction.objects.get().note == "RDV jeudi"


def test_no_action_needs_a_reason(world, alert, client_for):
    client = client_for(world.user("prescriber_adviser"))
    client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "no_action", "note": ""})
    assert not AlertAction.objects.exists()
    client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "no_action", "note": "Déjà en emploi"})
    assert AlertAction.objects.count() == 1


def test_the_trainer_sees_but_does_not_act_for_the_prescriber(world, alert, client_for):
    client = client_for(world.user("trainer"))
    assert client.get(alert.get_absolute_url()).status_code == 200
    assert client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "called"}).status_code == 403


def test_acknowledge_is_post_only(world, alert, client_for):
    assert (
        client_for(world.user("prescriber_adviser"))
        .get(reverse("alerts:alert_acknowledge", args=[alert.pk]))
        .status_code
        == 405
    )


def test_delivery_status_per_channel_is_shown(world, alert, client_for):
    from notifications.tasks import deliver_cause_task

    deliver_cause_task(f"alert:{alert.pk}")
    page = client_for(world.user("trainer")).get(alert.get_absolute_url()).content.decode()
    assert "Distribuée" in page and "E-mail" in page


# ---------------------------------------------------------------------------------------------------------------
# Escalation


def test_an_unacknowledged_alert_reaches_managers_and_funder_once_after_two_working_days(world, alert):
    prescriber_manager = world.user("legal_representative")
    created = timezone.localtime(alert.created_at).date()
    assert services.alerts_escalate(today=created) == 0
    later = created + datetime.timedelta(days=7)
    assert services.alerts_escalate(today=later) == 1
    assert services.alerts_escalate(today=later) == 0
    told = set(
        Notification.objects.filter(kind="alert_escalated", channel="in_app").values_list("recipient", flat=True)
    )
    assert told == {prescriber_manager.pk, world.user("regional_officer").pk}


def test_an_acknowledged_alert_does_not_escalate(world, alert):
    services.alert_acknowledge(alert=alert, by=world.user("prescriber_adviser"))
    assert services.alerts_escalate(today=timezone.localdate() + datetime.timedelta(days=10)) == 0


def test_escalation_counts_working_days(world):
    from tests.pathways.factories import StageFactory

    with time_machine.travel(datetime.datetime(2026, 5, 13, 10, tzinfo=datetime.UTC), tick=False):  # Wednesday
        stage = StageFactory(
            pathway=world.pathway,
            organisation=world.training_body,
            status="in_progress",
            actual_start=datetime.date(2026, 5, 4),
            planned_start=datetime.date(2026, 5, 4),
            planned_end=datetime.date(2026, 7, 1),
        )
        alert = declare(world, stage=stage, main_cause="unforeseen.event", occurred_on=datetime.date(2026, 5, 13)).alert
    # Thursday 14 is Ascension: Friday 15 is the first working day, Monday 18 the second.
    assert services.alerts_escalate(today=datetime.date(2026, 5, 15)) == 0
    assert services.alerts_escalate(today=datetime.date(2026, 5, 18)) == 1
    assert Alert.objects.get(pk=alert.pk).escalated_at is not None


def test_the_alert_list_queries_do_not_grow(world, client_for, django_assert_max_num_queries):
    from tests.pathways.factories import BeneficiaryFactory, PathwayFactory, StageFactory

    adviser = world.user("prescriber_adviser")
    for _ in range(12):
        pathway = PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region),
            referent=adviser,
            opened_by=world.prescriber,
            prescribing_organisation=world.prescriber,
            prescribing_adviser=adviser,
        )
        stage = StageFactory(
            pathway=pathway,
            organisation=world.training_body,
            status="in_progress",
            actual_start=timezone.localdate() - datetime.timedelta(days=5),
            planned_start=timezone.localdate() - datetime.timedelta(days=5),
        )
        rupture_declare(
            stage=stage,
            by=world.user("trainer"),
            kind="abandon",
            main_cause="unforeseen.event",
            causes=[],
            identified_by="trainer",
            occurred_on=timezone.localdate(),
            no_reminder_reason="x",
        )
    client = client_for(adviser)
    with django_assert_max_num_queries(10):
        client.get(reverse("alerts:alert_list"))


def test_a_note_too_long_is_refused_on_its_field_with_the_input_kept(world, alert, client_for):
    client = client_for(world.user("prescriber_adviser"))
    response = client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "called", "note": "x" * 2_000_001})
    assert response.status_code == 400
    assert not AlertAction.objects.exists()
    form = response.context["action_form"]
    assert "note" in form.errors and form.data["kind"] == "called"
    assert 'maxlength="2000"' in client.get(alert.get_absolute_url()).content.decode()


def test_no_action_without_a_reason_says_why_on_the_note_not_a_constraint_name(world, alert, client_for):
    client = client_for(world.user("prescriber_adviser"))
    response = client.post(reverse("alerts:alert_act", args=[alert.pk]), {"kind": "no_action", "note": "  "})
    body = response.content.decode()
    assert response.status_code == 400 and not AlertAction.objects.exists()
    assert response.context["action_form"].errors["note"] == ["Dites pourquoi aucune action n'est engagée."]
    assert "contrainte" not in body and "alertaction_no_action_has_a_reason" not in body


def test_the_scrollable_tables_of_the_alert_pages_can_be_reached_by_keyboard(world, alert, client_for):
    """A table wider than a phone scrolls inside its box: the box takes the focus, so arrow keys scroll it (RGAA 7.3;
    issue 21: the alert page's table could not be reached)."""
    client = client_for(world.user("prescriber_adviser"))
    for url in (alert.get_absolute_url(), reverse("alerts:alert_list")):
        content = client.get(url).content.decode()
        boxes = re.findall(r'<div class="table-responsive"[^>]*>', content)
        assert boxes, url
        assert all('tabindex="0"' in box and 'role="region"' in box and "aria-label=" in box for box in boxes), url
