"""The notification outbox: one row per (cause, recipient, channel), written with its cause, delivered once by a
worker (or later by the sweeper), shown in the recipient's inbox with a badge."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import claim_cause, deliver_one, notify
from notifications.tasks import deliver_cause_task, sweep_notifications_task
from pathways.services import stages as stage_services
from tests.accounts.factories import UserFactory
from tests.pathways.factories import MembershipFactory

Channel = Notification.Channel
Status = Notification.Status


@pytest.fixture
def people(db):
    """Two members of a training body (a notification's content is read only with an active membership)."""
    return MembershipFactory().user, MembershipFactory().user


def send(recipients, cause="cause:1", **extra):
    notify(
        recipients=recipients,
        kind="stage_transition",
        cause_key=cause,
        url="/parcours/1/",
        params={"person": "Zoé MARTIN", "stage_kind": "qualifying_training", "action": "start", "date": "2026-11-02"},
        **extra,
    )


def test_one_row_per_recipient_and_a_second_call_adds_none(people):
    alice, bob = people
    send([alice, bob, alice])
    send([alice, bob])
    assert Notification.objects.count() == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.PENDING}


def test_the_rows_roll_back_with_their_cause(people):
    alice, _ = people
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            send([alice])
            raise RuntimeError("the cause failed")
    assert not Notification.objects.exists()


def test_delivery_is_enqueued_on_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        send([people[0]])
    assert len(callbacks) == 1


def test_a_broker_outage_does_not_fail_the_cause_and_the_sweeper_delivers_later(people, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_cause_task, "delay", broker_down)
    with transaction.atomic():
        send([people[0]])
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING
    # Too recent for the sweeper…
    assert sweep_notifications_task() == 0
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert sweep_notifications_task() == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DELIVERED and notification.attempts == 1


def test_each_row_is_delivered_once(people):
    send(list(people))
    assert deliver_cause_task("cause:1") == 2
    assert deliver_cause_task("cause:1") == 0
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_row_claimed_by_another_worker_is_left_alone_until_its_lease_ends(people):
    send([people[0]])
    notification = Notification.objects.get()
    Notification.objects.update(claimed_until=timezone.now() + datetime.timedelta(minutes=1))
    assert deliver_one(notification.pk) is False
    Notification.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert deliver_one(notification.pk) is True


def test_claiming_a_cause_delivers_its_inbox_rows_and_takes_each_other_row_once(people):
    send(list(people), channels=[Channel.IN_APP, Channel.EMAIL])
    emails = set(Notification.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))

    delivered, taken = claim_cause("cause:1")
    assert delivered == 2 and {row.pk for row in taken} == emails
    inbox = Notification.objects.filter(channel=Channel.IN_APP)
    assert {(n.status, n.attempts, n.claimed_until) for n in inbox} == {(Status.DELIVERED, 1, None)}
    assert all(n.delivered_at is not None for n in inbox)
    for email in Notification.objects.filter(channel=Channel.EMAIL):
        assert email.status == Status.PENDING and email.attempts == 1 and email.claimed_until > timezone.now()

    assert claim_cause("cause:1") == (0, [])  # a second worker (or a redelivered task) gets nothing
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_claiming_a_cause_takes_exactly_the_rows_the_sweeper_would_deliver(people):
    """`claim_cause` writes the condition of `Notification.objects.deliverable` in SQL: both agree on every state."""
    alice, bob = people
    send([alice, bob], channels=[Channel.IN_APP, Channel.EMAIL])
    now = timezone.now()
    states = {
        (alice.pk, Channel.EMAIL): {"claimed_until": now - datetime.timedelta(seconds=1)},  # a lease that ran out
        (bob.pk, Channel.EMAIL): {"claimed_until": now + datetime.timedelta(minutes=1)},  # held by another worker
        (alice.pk, Channel.IN_APP): {"status": Status.DELIVERED, "delivered_at": now},
        (bob.pk, Channel.IN_APP): {"status": Status.FAILED},
    }
    for (recipient, channel), values in states.items():
        Notification.objects.filter(recipient=recipient, channel=channel).update(**values)
    send([UserFactory()], channels=[Channel.IN_APP, Channel.EMAIL])  # never claimed: both rows deliverable
    deliverable = dict(Notification.objects.deliverable(now).values_list("pk", "channel"))

    delivered, taken = claim_cause("cause:1", now=now)
    assert delivered == list(deliverable.values()).count(Channel.IN_APP) == 1
    assert {row.pk for row in taken} == {pk for pk, channel in deliverable.items() if channel != Channel.IN_APP}
    assert len(taken) == 2


def test_claiming_a_cause_leaves_the_other_causes_alone(people):
    send(list(people), cause="cause:1")
    send(list(people), cause="cause:2")
    assert claim_cause("cause:1") == (2, [])
    assert not Notification.objects.filter(cause_key="cause:2").exclude(status=Status.PENDING).exists()


def test_idempotency_key_is_stable(people):
    send([people[0]])
    notification = Notification.objects.get()
    assert notification.idempotency_key == f"cause:1:user:{people[0].pk}:in_app"


def test_inactive_users_are_not_notified(people):
    alice, bob = people
    bob.is_active = False
    bob.save()
    send([alice, bob, None])
    assert list(Notification.objects.values_list("recipient", flat=True)) == [alice.pk]


# ---------------------------------------------------------------------------------------------------------------
# The inbox


def delivered(user, cause="cause:1"):
    send([user], cause=cause)
    deliver_cause_task(cause)
    return Notification.objects.get(recipient=user, cause_key=cause)


def test_the_inbox_shows_delivered_notifications_with_a_badge(people, client_for):
    alice, bob = people
    send([alice], cause="pending")
    delivered(alice)
    delivered(bob)
    client = client_for(alice)
    response = client.get(reverse("notifications:inbox"))
    assert [n.recipient_id for n in response.context["page"].object_list] == [alice.pk]
    content = response.content.decode()
    assert "Zoé MARTIN · Formation qualifiante : démarrage le 02/11/2026" in content
    assert 'rounded-pill text-bg-warning">1<' in content


def test_opening_marks_read_and_follows_the_link(people, client_for):
    notification = delivered(people[0])
    response = client_for(people[0]).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == "/parcours/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_someone_elses_notification(people, client_for):
    notification = delivered(people[0])
    assert client_for(people[1]).post(reverse("notifications:open", args=[notification.pk])).status_code == 404


def test_mark_all_read(people, client_for):
    delivered(people[0], "a")
    delivered(people[0], "b")
    client_for(people[0]).post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_message_reads_in_the_readers_language(people):
    from django.utils import translation

    notification = delivered(people[0])
    with translation.override("en"):
        assert notification.message.startswith("Zoé MARTIN · Qualifying training")


def test_the_inbox_queries_do_not_grow_with_notifications(people, client_for, django_assert_max_num_queries):
    for index in range(30):
        delivered(people[0], f"cause:{index}")
    client = client_for(people[0])
    # session, user, memberships, the page's count and rows, the badge
    with django_assert_max_num_queries(6):
        client.get(reverse("notifications:inbox"))


# ---------------------------------------------------------------------------------------------------------------
# Stage transitions tell the referent


def test_each_stage_transition_tells_the_referent_not_the_actor(world):
    adviser = world.user("prescriber_adviser")  # the referent
    trainer = world.user("trainer")
    stage_services.stage_suspend(
        stage=world.stage,
        by=trainer,
        date=timezone.localdate(),
        planned_resume=timezone.localdate() + datetime.timedelta(days=10),
        reason="Santé",
    )
    notification = Notification.objects.get(kind="stage_transition", cause_key__startswith="stage_transition:")
    assert notification.recipient == adviser
    assert notification.url == world.stage.get_absolute_url()
    stage_services.stage_resume(stage=world.stage, by=adviser, date=timezone.localdate())
    assert Notification.objects.filter(kind="stage_transition").exclude(cause_key="world:1").count() == 1


def test_alert_messages_read_well_in_the_inbox(world):
    from tests.ruptures.declaring import declare

    rupture = declare(world, main_cause="unforeseen.event")
    notification = Notification.objects.get(
        cause_key=f"alert:{rupture.alert.pk}", channel="in_app", recipient=world.user("prescriber_adviser")
    )
    assert notification.message.startswith("Zoé MARTIN : abandon (perte de contact), le ")


def test_the_sweeper_logs_the_rows_it_cannot_deliver_and_goes_on(people, monkeypatch, caplog):
    from notifications import tasks

    send([people[0]], cause="cause:sweep-a")
    send([people[1]], cause="cause:sweep-b")
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    first, second = Notification.objects.order_by("pk").values_list("pk", flat=True)

    def deliver_one(pk):
        if pk == first:
            raise ConnectionError("mail server down")
        return 1

    monkeypatch.setattr(tasks, "deliver_one", deliver_one)
    with caplog.at_level("ERROR", logger="notifications.tasks"):
        assert sweep_notifications_task() == 1
    assert f"could not deliver notification {first}" in caplog.text
