"""Reminders, escalation in working days, the "refuses" path, decisions, the watch list and its permissions."""

import datetime

import pytest
from django.urls import reverse

from attendance.models import AbsenceRules, Drift, FollowUpAttempt
from attendance.services import drift_decide, escalate, follow_up_record
from notifications.models import Notification
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory

D = datetime.date
Outcome = FollowUpAttempt.Outcome


@pytest.fixture
def drift(klass, frozen):
    """Inès has been drifting since Monday 11 May 2026."""
    frozen(D(2026, 5, 11))
    return Drift.objects.create(stage=klass.stages[0], reason=Drift.Reason.CONSECUTIVE, detail={"count": 2}, risk=40)


def reload(drift):
    drift.refresh_from_db()
    return drift


def notified(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_reaching_the_person_closes_the_drift(klass, drift):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REACHED, comment="Rdv demain")
    drift = reload(drift)
    assert (drift.status, drift.closure, drift.decided_by) == (
        Drift.Status.CLOSED,
        Drift.Closure.REACHED,
        klass.trainer,
    )


def test_their_return_closes_every_live_drift_of_the_stage(klass, drift):
    other = Drift.objects.create(stage=drift.stage, reason=Drift.Reason.LOW_RATE)
    follow_up_record(drift=drift, by=klass.trainer, channel="sms", outcome=Outcome.CAME_BACK)
    assert reload(other).closure == Drift.Closure.CAME_BACK


def test_a_refusal_makes_a_presumed_rupture_at_once_and_tells_trainers_and_referent(klass, drift):
    klass.session.trainers.add(klass.trainer)
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)
    drift = reload(drift)
    assert drift.status == Drift.Status.PRESUMED and drift.presumed_at is not None
    assert notified("drift_presumed") == {klass.trainer.pk, drift.stage.pathway.referent_id}


def test_n_reminders_without_answer_make_a_presumed_rupture(klass, drift):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.NO_ANSWER)
    assert reload(drift).status == Drift.Status.OPEN
    follow_up_record(drift=drift, by=klass.trainer, channel="sms", outcome=Outcome.NO_ANSWER)
    assert reload(drift).status == Drift.Status.PRESUMED


def test_the_number_of_reminders_is_configurable(klass, drift):
    AbsenceRules.objects.create(programme=klass.programme, reminders_before_presumed=3)
    for _ in range(2):
        follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.NO_ANSWER)
    assert reload(drift).status == Drift.Status.OPEN


def test_a_drift_open_three_working_days_becomes_presumed(klass, drift):
    # Opened Monday 11 May; Thursday 14 is Ascension: Friday 15 is only the 3rd working day.
    escalate(today=D(2026, 5, 14))
    assert reload(drift).status == Drift.Status.OPEN
    escalate(today=D(2026, 5, 15))
    assert reload(drift).status == Drift.Status.PRESUMED


def test_a_presumed_rupture_left_undecided_reaches_the_organisation_manager_once(klass, drift, frozen):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)  # presumed Mon 11 May
    escalate(today=D(2026, 5, 12))
    assert reload(drift).escalated_at is None
    escalate(today=D(2026, 5, 13))  # 2 working days
    assert reload(drift).escalated_at is not None
    assert notified("presumed_escalated") == {klass.org_manager.pk}
    escalate(today=D(2026, 5, 20))
    assert Notification.objects.filter(kind="presumed_escalated").count() == 1


def test_escalation_is_idempotent(klass, drift):
    escalate(today=D(2026, 5, 15))
    escalate(today=D(2026, 5, 15))
    assert Notification.objects.filter(kind="drift_presumed").count() == len(notified("drift_presumed"))


def test_a_closed_drift_takes_no_more_reminders(klass, drift):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REACHED)
    with pytest.raises(Exception, match="clos"):
        follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.NO_ANSWER)


def test_the_trainer_confirms_or_dismisses_a_presumed_rupture(klass, drift):
    with pytest.raises(Exception, match="Seule une rupture présumée"):
        drift_decide(drift=drift, by=klass.trainer, confirm=True)
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)
    with pytest.raises(Exception, match="pourquoi"):
        drift_decide(drift=drift, by=klass.trainer, confirm=False, note="")
    drift_decide(drift=drift, by=klass.trainer, confirm=False, note="Malentendu sur les horaires")
    drift = reload(drift)
    assert (drift.status, drift.closure) == (Drift.Status.CLOSED, Drift.Closure.DISMISSED)


def test_confirming_records_who_decided(klass, drift):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)
    drift_decide(drift=drift, by=klass.manager, confirm=True, note="")
    drift = reload(drift)
    assert (drift.status, drift.decided_by) == (Drift.Status.CONFIRMED, klass.manager)


# ---------------------------------------------------------------------------------------------------------------
# Pages


def test_the_watch_list_puts_presumed_ruptures_first_then_risk(klass, drift, client_for):
    karim, zoé = klass.stages[1], klass.stages[2]
    high = Drift.objects.create(stage=karim, reason=Drift.Reason.LOW_RATE, risk=70, detail={"rate": 40, "days": 10})
    presumed = Drift.objects.create(stage=zoé, reason=Drift.Reason.NO_SHOW, risk=10)
    follow_up_record(drift=presumed, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)
    response = client_for(klass.trainer).get(reverse("attendance:watch_list"))
    assert [d.pk for d in response.context["page"].object_list] == [presumed.pk, high.pk, drift.pk]
    content = response.content.decode()
    assert "2 demi-journées consécutives non justifiées" in content and "absent·e au démarrage" in content


def test_logging_a_reminder_through_the_page(klass, drift, client_for):
    response = client_for(klass.trainer).post(
        reverse("attendance:follow_up_create", args=[drift.pk]),
        {"channel": "call", "outcome": "no_answer", "comment": "Messagerie"},
    )
    assert response.status_code == 302
    attempt = FollowUpAttempt.objects.get()
    assert (attempt.by, attempt.comment) == (klass.trainer, "Messagerie")


def test_a_decision_through_the_page(klass, drift, client_for):
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome=Outcome.REFUSES)
    response = client_for(klass.trainer).post(
        reverse("attendance:drift_decide", args=[drift.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 302
    assert reload(drift).status == Drift.Status.CONFIRMED


def test_drift_pages_are_for_the_training_body_staff_only(klass, drift, client_for):
    other_trainer = Membership.objects.create(
        user=UserFactory(), organisation=OrganisationFactory(), role="trainer"
    ).user
    adviser = Membership.objects.create(
        user=UserFactory(), organisation=OrganisationFactory(prescriber=True), role="prescriber_adviser"
    ).user
    detail = reverse("attendance:drift_detail", args=[drift.pk])
    for user in (other_trainer, adviser):
        client = client_for(user)
        assert client.get(detail).status_code == 404
        assert client.post(reverse("attendance:follow_up_create", args=[drift.pk]), {}).status_code == 404
        assert list(client.get(reverse("attendance:watch_list")).context["page"].object_list) == []
    assert client_for(klass.trainer).get(detail).status_code == 200
    assert client_for(klass.trainer).get(reverse("attendance:follow_up_create", args=[drift.pk])).status_code == 405


def test_opening_a_drift_writes_the_access_log(klass, drift, client_for):
    from accounts.models import AccessLog

    client_for(klass.trainer).get(reverse("attendance:drift_detail", args=[drift.pk]))
    log = AccessLog.objects.get()
    assert (log.beneficiary, log.view_name) == (drift.stage.pathway.beneficiary, "attendance:drift_detail")


@pytest.mark.parametrize("session", ["9" * 25, "²", "-1", "abc"])
def test_the_watch_list_ignores_a_session_that_is_no_id(klass, drift, client_for, session):
    response = client_for(klass.trainer).get(reverse("attendance:watch_list"), {"session": session})
    assert response.status_code == 200
    assert list(response.context["page"]) == [drift]
