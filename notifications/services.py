"""Writing notifications (the outbox) and delivering them.

`notify` is called inside the transaction of the cause: the rows commit or roll back with it, then delivery is
enqueued on commit. If the broker is down the rows stay pending and the beat sweeper delivers them later.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import enqueue_on_commit
from notifications.kinds import notification_kind
from notifications.models import ChannelPreference, Notification
from notifications.sms import SmsPermanentError
from pathways.scoping import told_of
from pathways.validators import normalize_phone

# Delivery errors that retrying cannot fix.
PermanentDeliveryError = SmsPermanentError


def wanted_channels(users, channels) -> dict[int, set[str]]:
    """For each user, the channels among `channels` they receive: in-app always; e-mail and SMS per their
    preferences (defaults in NOTIFICATIONS_DEFAULT_CHANNELS) and only with an address to send to."""
    users = list(users)
    saved = {
        (user_id, channel): enabled
        for user_id, channel, enabled in ChannelPreference.objects.filter(user__in=users).values_list(
            "user_id", "channel", "enabled"
        )
    }
    defaults = settings.NOTIFICATIONS_DEFAULT_CHANNELS
    wanted = {}
    for user in users:
        chosen = set()
        for channel in channels:
            if channel == Notification.Channel.IN_APP:
                chosen.add(channel)
            elif saved.get((user.pk, channel), defaults.get(channel, False)) and address_of(user, channel):
                chosen.add(channel)
        wanted[user.pk] = chosen
    return wanted


def address_of(user, channel) -> str:
    if channel == Notification.Channel.EMAIL:
        return user.email
    if channel == Notification.Channel.SMS:
        return user.phone
    return ""


def notify(
    *,
    recipients,
    kind: str,
    cause_key: str,
    url: str = "",
    params: dict | None = None,
    channels=None,
    inboxes=(),
    held_for: dict[str, int] | None = None,
    stage=None,
    beneficiaries=(),
) -> None:
    """Record one notification per (recipient, channel) for `cause_key`; a second call for the same cause adds none.

    `kind` is a kind registered by the app that causes it (`notifications.kinds`). `stage` is the person's stage the
    notification speaks of, if any: its content is then read only by those who still see that person.

    `channels` lists the channels to use beyond in-app (filtered per person by `wanted_channels`); `inboxes` are
    organisations whose shared alert mailbox also gets the e-mail; `beneficiaries` are people followed (no account)
    who get the e-mail and the SMS among `channels` to their own address and number, if they have one.
    `held_for` maps recipient keys ("user:<id>", "inbox:<organisation id>") to the organisation they are held for
    (the charter gate, `charter.gate`): their rows are kept, not delivered, until `release_held` lets them go.
    """
    notification_kind(kind)  # an unregistered kind is a programming error, raised before anything is written
    if stage is not None:
        # Nobody of an organisation the person objected to is told (their record is out of its members' scope).
        recipients, inboxes = told_of(stage, recipients, inboxes)
    channels = channels or [Notification.Channel.IN_APP]
    held_for = held_for or {}
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    wanted = wanted_channels(people.values(), channels)
    common = {"kind": kind, "cause_key": cause_key, "url": url, "params": params or {}, "stage": stage}

    def row(recipient_key, **fields):
        held = held_for.get(recipient_key)
        if held is not None:
            fields.update(status=Notification.Status.HELD, held_for_id=held)
        return Notification(recipient_key=recipient_key, **fields, **common)

    rows = [
        row(f"user:{user_id}", recipient_id=user_id, channel=channel)
        for user_id in people
        for channel in sorted(wanted[user_id])
    ]
    rows += [
        row(f"inbox:{org.pk}", organisation=org, channel=Notification.Channel.EMAIL)
        for org in inboxes
        if org is not None and org.alert_inbox_email and Notification.Channel.EMAIL in channels
    ]
    email_or_sms = [c for c in (Notification.Channel.EMAIL, Notification.Channel.SMS) if c in channels]
    rows += [
        row(f"person:{person.pk}", beneficiary=person, channel=channel)
        for person in beneficiaries
        if person is not None
        for channel in email_or_sms
        if (person.email if channel == Notification.Channel.EMAIL else person.phone)
    ]
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _enqueue(cause_key)


DELIVER_TASK = "notifications.tasks.deliver_cause_task"


def _enqueue(cause_key: str) -> None:
    enqueue_on_commit(DELIVER_TASK, cause_key, catch_up="the sweeper will deliver the pending rows")


def claim(notification_id: int) -> bool:
    """Take a pending row for delivery, for one lease. Two workers never both get it."""
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    taken = (
        Notification.objects.deliverable(now)
        .filter(pk=notification_id)
        .update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )
    return taken == 1


def deliver(notification: Notification) -> None:
    """Hand a claimed row to its channel. In-app: delivered means visible in the recipient's inbox; e-mail and SMS
    go out with the row's idempotency key (see `notifications.channels`)."""
    from notifications.channels import send

    send(notification)


def deliver_one(notification_id: int) -> bool:
    """Claim, deliver and mark one row; False when another worker holds it or it is already delivered."""
    if not claim(notification_id):
        return False
    notification = Notification.objects.select_related("recipient", "organisation", "beneficiary").get(
        pk=notification_id
    )
    return _deliver_claimed(notification)


class LeaseRunningOut(Exception):
    """Sending a cause's rows has taken half their lease: the rows not sent yet were handed back, for the retry."""


# The row's fields that sending it reads; RETURNING adds its recipient's address and language, or its mailbox.
ROW_FIELDS = (
    "id",
    "cause_key",
    "recipient_key",
    "channel",
    "kind",
    "url",
    "params",
    "recipient_id",
    "organisation_id",
    "beneficiary_id",
)


def claim_cause(cause_key: str, *, now=None) -> tuple[int, list[Notification]]:
    """In one statement, deliver the in-app rows of a cause and take its e-mail and SMS rows for one lease:
    (in-app rows delivered, the rows taken, SMS first, each with what sending it reads).

    Delivering an in-app row is making it visible in the inbox: nothing is sent. The condition is that of
    `Notification.objects.deliverable` and `claim` (pending, no lease running), written on the row itself, so that
    PostgreSQL checks it again on a row a concurrent claim has just changed: two workers never both get a row.
    RETURNING tells which rows this worker got, which the ORM's `update()` cannot, and with them the recipient's
    address and language (or the organisation's mailbox), read by subqueries: no second statement.
    """
    from accounts.models import User
    from pathways.models import Beneficiary, Organisation

    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
    in_app, pending = Notification.Channel.IN_APP, Notification.Status.PENDING
    at, until = (connection.ops.adapt_datetimefield_value(value) for value in (now, lease))
    quote = connection.ops.quote_name
    table, users, organisations, people = (
        quote(model._meta.db_table) for model in (Notification, User, Organisation, Beneficiary)
    )
    of_recipient = f"(SELECT {users}.{{}} FROM {users} WHERE {users}.id = {table}.recipient_id)"
    of_person = f"(SELECT {people}.{{}} FROM {people} WHERE {people}.id = {table}.beneficiary_id)"
    mailbox = (
        f"(SELECT {organisations}.alert_inbox_email FROM {organisations}"
        f" WHERE {organisations}.id = {table}.organisation_id)"
    )
    read = (
        [quote(name) for name in ROW_FIELDS]
        + [of_recipient.format(name) for name in ("email", "phone", "language")]
        + [of_person.format(name) for name in ("email", "phone")]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET
                attempts = attempts + 1,
                status = CASE WHEN channel = %s THEN %s ELSE status END,
                delivered_at = CASE WHEN channel = %s THEN %s ELSE delivered_at END,
                claimed_until = CASE WHEN channel = %s THEN NULL ELSE %s END,
                last_error = CASE WHEN channel = %s THEN '' ELSE last_error END
            WHERE cause_key = %s AND status = %s AND (claimed_until IS NULL OR claimed_until < %s)
            RETURNING {", ".join(read)}, {mailbox}
            """,
            [in_app, Notification.Status.DELIVERED, in_app, at, in_app, until, in_app, cause_key, pending, at],
        )
        returned = cursor.fetchall()
    delivered, taken = 0, []
    for *fields, email, phone, language, person_email, person_phone, mailbox_email in returned:
        row = dict(zip(ROW_FIELDS, fields, strict=True))
        if row["channel"] == in_app:
            delivered += 1
            continue
        # The raw statement returns the JSON text: decoded as the ORM would (the SMS text of a kind may read it).
        row["params"] = Notification._meta.get_field("params").from_db_value(row["params"], None, connection)
        notification = _loaded(Notification, row)
        notification.recipient = (
            _loaded(User, {"id": row["recipient_id"], "email": email, "phone": phone, "language": language})
            if row["recipient_id"]
            else None
        )
        notification.beneficiary = (
            _loaded(Beneficiary, {"id": row["beneficiary_id"], "email": person_email, "phone": person_phone})
            if row["beneficiary_id"]
            else None
        )
        notification.organisation = (
            _loaded(Organisation, {"id": row["organisation_id"], "alert_inbox_email": mailbox_email})
            if row["organisation_id"]
            else None
        )
        taken.append(notification)
    # The SMS (the urgent channel, chosen by the person) before the e-mails.
    taken.sort(key=lambda notification: (notification.channel != Notification.Channel.SMS, notification.pk))
    return delivered, taken


def _loaded(model, values: dict):
    """An instance of `model` as the ORM loads it with `.only(*values)`: the other fields deferred."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def deliver_cause(cause_key: str) -> int:
    """Deliver the deliverable rows of one cause; how many were delivered.

    One statement delivers the in-app rows and takes the SMS and e-mails with what sending them reads
    (`claim_cause`); they are sent, the e-mails over one SMTP session, then marked delivered together by one more
    statement: two statements per cause, whatever its number of recipients. A crash between a send and that mark
    makes the retry send again, under the same idempotency keys, the messages of this cause already sent: at-least-
    once, recognised by whoever receives them (see `notifications.channels`).

    A row that fails does not hold back the others: its error is recorded on it and, once the others are sent and
    marked, the first error is raised for the task to retry (the failed row is pending again). Should the sending
    take half the lease, the rows not sent yet are handed back rather than sent on a lease about to end.
    """
    from notifications.channels import email_connection, send

    now = timezone.now()
    delivered, outgoing = claim_cause(cause_key, now=now)
    deadline = now + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS / 2)
    sent, failure = [], None
    try:
        with email_connection():
            for position, notification in enumerate(outgoing):
                if timezone.now() > deadline:
                    unsent = [row.pk for row in outgoing[position:]]
                    Notification.objects.filter(pk__in=unsent).update(claimed_until=None)
                    failure = failure or LeaseRunningOut(f"{len(unsent)} rows of {cause_key} handed back")
                    break
                try:
                    send(notification)
                except Exception as error:
                    _record_failure(notification, error)
                    if not isinstance(error, PermanentDeliveryError):
                        failure = failure or error
                else:
                    sent.append(notification.pk)
    finally:
        delivered += _mark_delivered(sent)
    if failure is not None:
        raise failure
    return delivered


def _mark_delivered(ids) -> int:
    """Mark these claimed rows delivered, in one statement."""
    if not ids:
        return 0
    return Notification.objects.filter(pk__in=ids, status=Notification.Status.PENDING).update(
        status=Notification.Status.DELIVERED, delivered_at=timezone.now(), claimed_until=None, last_error=""
    )


def _record_failure(notification: Notification, error: Exception) -> None:
    """A claimed row that could not be sent: failed for good (retrying cannot help: a refused number, a bad request;
    visible on the alert page), or pending again for the retry, with the error."""
    if isinstance(error, PermanentDeliveryError):
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED, last_error=str(error)[:2000], claimed_until=None
        )
    else:
        Notification.objects.filter(pk=notification.pk).update(last_error=str(error)[:2000], claimed_until=None)


def _deliver_claimed(notification: Notification) -> bool:
    """Send a row this worker has claimed and mark it: delivered, failed for good, or pending again (then raise)."""
    try:
        deliver(notification)
    except Exception as error:
        _record_failure(notification, error)
        if isinstance(error, PermanentDeliveryError):
            return False
        raise
    return _mark_delivered([notification.pk]) == 1


def release_held(*, organisation_ids) -> int:
    """Let the rows held for these organisations go (their charter signature is now valid, or their region no
    longer requires one): pending again, the release recorded on each row, delivery enqueued on commit. A row is
    released once: the update only takes rows still held."""
    now = timezone.now()
    held = Notification.objects.filter(status=Notification.Status.HELD, held_for__in=list(organisation_ids))
    causes = set(held.values_list("cause_key", flat=True))
    released = held.update(status=Notification.Status.PENDING, released_at=now)
    for cause_key in sorted(causes):
        _enqueue(cause_key)
    return released


def mark_read(*, user, notification_ids=None) -> int:
    """Mark some (or all) of `user`'s unread notifications as read; returns how many changed."""
    unread = Notification.objects.inbox(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------------------------
# Channel preferences


def channel_preferences(user) -> dict[str, bool]:
    """Whether `user` wants e-mail and SMS (their saved choice, else NOTIFICATIONS_DEFAULT_CHANNELS)."""
    defaults = settings.NOTIFICATIONS_DEFAULT_CHANNELS
    saved = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
    return {
        channel: saved.get(channel, defaults.get(channel, False))
        for channel in (Notification.Channel.EMAIL, Notification.Channel.SMS)
    }


@transaction.atomic
def preferences_save(*, user, email: bool, sms: bool, phone: str) -> None:
    """Save `user`'s channel choices and phone number (empty: none). SMS needs a phone number."""
    try:
        phone = normalize_phone(phone) if (phone or "").strip() else ""
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from error
    if sms and not phone:
        raise ValidationError(
            {"sms": _("Pour recevoir les alertes par SMS, indiquez votre numéro de téléphone.")}, code="sms_phone"
        )
    if user.phone != phone:
        user.phone = phone
        user.save(update_fields=["phone"])
    for channel, enabled in ((Notification.Channel.EMAIL, email), (Notification.Channel.SMS, sms)):
        ChannelPreference.objects.update_or_create(user=user, channel=channel, defaults={"enabled": bool(enabled)})
