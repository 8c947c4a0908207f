"""What the commissions hold about a person (commissions.personal_data) goes with the person; a commission's own
point, its decision and a meeting's cancellation, which reach no person, go on their own clock (accounts.retention)."""

import datetime

from dateutil.relativedelta import relativedelta

from accounts import retention
from accounts.personal_data import ANONYMISED, anonymise_person
from commissions.models import AgendaItem, Decision
from commissions.services.meetings import decision_create, item_add, meeting_cancel, meeting_create
from notifications.models import Notification, Todo
from notifications.todos import todos_remind_overdue
from tests.commissions.conftest import TODAY, a_case, at

DAY = datetime.timedelta(days=1)
ACTION = "Trouver un hébergement d'urgence pour elle et sa fille"


def test_a_decision_whose_owner_cannot_name_the_person_leaves_no_copy_once_the_person_is_anonymised(commission, place):
    """The owner who does not see the person gets a to-do with no stage (so that it names no one): the decision's
    text in it, and in its overdue reminder, goes with the person all the same."""
    stage = a_case(place)
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    item = meeting.items.get(stage=stage)
    decision = decision_create(item=item, by=place.coordinator, action=ACTION, owner=place.other_adviser, due_on=TODAY)
    todo = Todo.objects.get(source_key=decision.source_key)
    assert (todo.stage, todo.title) == (None, ACTION)
    assert todos_remind_overdue(today=TODAY + DAY) == 1
    reminders = Notification.objects.filter(cause_key__startswith=f"todo:{todo.pk}:")
    assert reminders.exists() and all(n.params["title"] == ACTION for n in reminders)

    anonymise_person(stage.pathway.beneficiary)

    assert Decision.objects.get(pk=decision.pk).action == ANONYMISED
    assert Todo.objects.get(pk=todo.pk).title == ANONYMISED
    assert all(n.params["title"] == ANONYMISED for n in reminders.all())


def test_a_commissions_own_point_and_its_decision_go_after_the_reports_duration(commission, place):
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY - DAY))
    item = item_add(meeting=meeting, by=place.coordinator, title="Situation de Mme Durand, hébergée au 115")
    decision = decision_create(
        item=item, by=place.coordinator, action="Appeler Mme Durand", owner=place.adviser, due_on=TODAY
    )
    due = TODAY - DAY + relativedelta(months=12)  # the reports' default duration, from the meeting

    retention.run(today=due - DAY)
    assert AgendaItem.objects.get(pk=item.pk).title.startswith("Situation de Mme Durand")
    assert Decision.objects.get(pk=decision.pk).action == "Appeler Mme Durand"

    retention.run(today=due)
    assert AgendaItem.objects.get(pk=item.pk).title == ANONYMISED
    assert Decision.objects.get(pk=decision.pk).action == ANONYMISED
    assert Todo.objects.get(source_key=decision.source_key).title == ANONYMISED


def test_the_reason_of_a_cancelled_meeting_leaves_the_notifications_after_the_default_duration(commission, place):
    meeting = meeting_create(commission=commission, by=place.coordinator, starts_at=at(TODAY + 7 * DAY))
    meeting_cancel(meeting=meeting, by=place.coordinator, reason="Mme Durand, rapporteuse, est hospitalisée")
    told = Notification.objects.filter(stage__isnull=True, beneficiary__isnull=True, params__reason__isnull=False)
    assert told.exists()
    due = TODAY + relativedelta(months=24)  # named data's default duration, from the message

    plan = retention.plan(today=due - DAY)
    assert "notifications.Notification" not in plan.rows
    retention.run(today=due)
    assert all(n.params["reason"] == ANONYMISED for n in told.all())
