"""To-dos: things a person has to do by a date, in their to-do list (a checklist's follow-up actions, later a
commission's decisions). One to-do per source (`source_key`): setting it again updates it, cancelling it takes it
off the list. A beat job reminds owners of what is overdue, once per to-do, through the notification outbox."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import NotificationKind, date_of
from notifications.models import Notification, Todo
from notifications.services import notify

TODO_OVERDUE = "todo_overdue"


def todo_overdue_message(params: dict) -> str:
    if params.get("handed_over"):
        return _("Une action de suivi en retard (prévue le %(date)s) a depuis été confiée à quelqu'un d'autre.") % {
            "date": date_of(params.get("due"))
        }
    return _("Action de suivi en retard (prévue le %(date)s) : %(title)s.") % {
        "date": date_of(params.get("due")),
        "title": params.get("title", ""),
    }


KINDS = [
    NotificationKind(
        code=TODO_OVERDUE,
        label=gettext_lazy("Action de suivi en retard"),
        message=todo_overdue_message,
        email="notifications/emails/notification",
    ),
]


def todo_set(
    *,
    source_key: str,
    owner,
    title: str,
    due_on: datetime.date,
    by,
    context: str = "",
    url: str = "",
    stage=None,
) -> Todo:
    """Create or update the to-do of `source_key` (reopened if it was cancelled; left done if it was done).

    `stage` is the person's stage it is about, if any: the to-do is then in its owner's list only while they see
    that person (`notifications.apps`, the to-do's scope)."""
    todo, created = Todo.objects.get_or_create(
        source_key=source_key,
        defaults={
            "owner": owner,
            "title": title[:300],
            "context": context[:300],
            "due_on": due_on,
            "url": url,
            "stage": stage,
            "created_by": by,
        },
    )
    if not created:
        changed_due = todo.due_on != due_on
        if todo.owner_id != owner.pk:
            _reminders_forget(todo, former_owner_id=todo.owner_id)
        todo.owner, todo.title, todo.context, todo.due_on, todo.url = owner, title[:300], context[:300], due_on, url
        todo.stage = stage
        todo.cancelled_at = None
        if changed_due:
            todo.reminded_at = None  # a new date: a new reminder when it passes
        todo.save()
    return todo


def _reminders_forget(todo: Todo, *, former_owner_id: int) -> None:
    """A to-do that changes hands (an action taken back when the person withdrew their agreement) leaves nothing of
    its text in the overdue reminders its former owner received: they keep only that an action was overdue."""
    Notification.objects.filter(cause_key__startswith=f"todo:{todo.pk}:", recipient=former_owner_id).update(
        params={"due": todo.due_on.isoformat(), "title": "", "context": "", "handed_over": True}
    )


def todo_cancel(*, source_key: str) -> int:
    return Todo.objects.open().filter(source_key=source_key).update(cancelled_at=timezone.now())


@transaction.atomic
def todo_done(*, todo: Todo, by) -> Todo:
    if todo.owner_id != by.pk:
        raise ValidationError(_("Seule la personne à qui revient cette action peut la marquer comme faite."))
    Todo.objects.filter(pk=todo.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=by)
    todo.refresh_from_db()
    return todo


@transaction.atomic
def todos_remind_overdue(*, today: datetime.date | None = None) -> int:
    """Tell the owner of each open to-do whose date has passed, once (a conditional update claims each)."""
    today = today or timezone.localdate()
    overdue = list(Todo.objects.open().filter(due_on__lt=today, reminded_at__isnull=True).select_related("owner"))
    reminded = 0
    for todo in overdue:
        if not Todo.objects.filter(pk=todo.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
            continue
        notify(
            recipients=[todo.owner],
            kind=TODO_OVERDUE,
            stage=todo.stage,
            cause_key=f"todo:{todo.pk}:overdue:{todo.due_on.isoformat()}",
            url=reverse("notifications:todo_list"),
            params={"title": todo.title, "context": todo.context, "due": todo.due_on.isoformat()},
            channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
        )
        reminded += 1
    return reminded
