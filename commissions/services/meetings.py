"""Meetings: planning one (its agenda proposed and its delegates invited in the same transaction), the agenda's
items kept, removed or added by the coordinator, attendance, and the decisions, which become their owners' to-dos."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions import agenda
from commissions.models import AgendaItem, Commission, Decision, Meeting, MeetingAttendance, active_delegates
from commissions.notifications import meeting_cancel_notify, meeting_invite
from notifications.todos import todo_set
from pathways.models import Stage

# The hour a meeting is proposed at when the commission has no earlier one.
DEFAULT_HOUR = datetime.time(14, 0)


def previous_meeting(meeting_or_commission, *, before=None) -> Meeting | None:
    """The last meeting (not cancelled) before `before` (or before the meeting given)."""
    if isinstance(meeting_or_commission, Meeting):
        commission, before = meeting_or_commission.commission, meeting_or_commission.starts_at
        exclude = meeting_or_commission.pk
    else:
        commission, exclude = meeting_or_commission, None
    meetings = Meeting.objects.filter(commission=commission, starts_at__lt=before).exclude(
        status=Meeting.Status.CANCELLED
    )
    if exclude is not None:
        meetings = meetings.exclude(pk=exclude)
    return meetings.order_by("-starts_at", "-pk").first()


def next_date(commission: Commission, *, today: datetime.date | None = None) -> datetime.datetime:
    """The next meeting's proposed date: the last meeting's plus the cadence (moved past today if need be), else a
    week from today, at the last meeting's hour (14:00 by default)."""
    last = (
        Meeting.objects.filter(commission=commission)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return next(cadence_dates(commission.cadence_weeks, last, today=today))


def cadence_dates(cadence_weeks: int, last: datetime.datetime | None, *, today: datetime.date | None = None):
    """The dates the cadence proposes after the last meeting not cancelled (`last`, None when there is none), from
    the first after today on, endlessly: the last meeting's plus N weeks, plus 2N…, at its hour (a week from today at
    14:00 without a meeting). No query: the calendar reads `last` of every commission at once."""
    today = today or timezone.localdate()
    step = datetime.timedelta(weeks=cadence_weeks)
    if last is None:
        day, hour = today + datetime.timedelta(weeks=1), DEFAULT_HOUR
    else:
        local = timezone.localtime(last)
        day, hour = local.date() + step, local.time()
        while day <= today:
            day += step
    while True:
        yield timezone.make_aware(datetime.datetime.combine(day, hour))
        day += step


@transaction.atomic
def meeting_create(
    *,
    commission: Commission,
    by,
    starts_at: datetime.datetime,
    duration_minutes: int = 120,
    place: str = "",
    video_link: str = "",
    today: datetime.date | None = None,
) -> Meeting:
    """Plan a meeting: its agenda is proposed (`agenda_propose`) and the delegates invited, all or nothing."""
    meeting = Meeting(
        commission=commission,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place if (place or video_link) else commission.usual_place,
        video_link=video_link if (place or video_link) else commission.video_link,
        created_by=by,
    )
    meeting.full_clean()
    meeting.save()
    agenda_propose(meeting, today=today)
    meeting_invite(meeting)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    """Move a planned meeting or change its place: the delegates are invited again, with the same calendar entry
    (same UID, its SEQUENCE raised) so that their calendars update it rather than add one."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Seule une réunion prévue peut être modifiée."))
    changes = {"starts_at": starts_at, "duration_minutes": duration_minutes, "place": place, "video_link": video_link}
    if all(getattr(meeting, name) == value for name, value in changes.items()):
        return meeting
    if meeting.starts_at != starts_at:
        meeting.reminded_at = None  # a new date: a new reminder the day before
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting_invite(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, reason: str = "") -> Meeting:
    """Cancel a planned meeting that has not started: it is marked cancelled (who, when, why), its calendar entry's
    SEQUENCE raised, and every invited delegate told by e-mail with the calendar file that removes it (same UID,
    `METHOD:CANCEL`). It is no longer reminded, its agenda can no longer be edited and it does not count as held;
    the to-dos of decisions already recorded on it stay in their owners' lists (the commission decided them)."""
    meeting = Meeting.objects.select_for_update().select_related("commission").get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Cette réunion est déjà annulée."))
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(_("Une réunion tenue (présences enregistrées) ne peut pas être annulée."))
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("Une réunion passée ou commencée ne peut pas être annulée."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = by
    meeting.cancel_reason = (reason or "").strip()
    meeting.full_clean()
    meeting.save()
    meeting_cancel_notify(meeting)
    return meeting


def agenda_propose(meeting: Meeting, *, today: datetime.date | None = None) -> int:
    """Propose the cases of `commissions.agenda`'s rules; a case proposed by two rules appears once (the first)."""
    today = today or timezone.localdate()
    commission = meeting.commission
    basin = commission.basin_id
    items, seen = [], set()
    for kind, rule in agenda.person_rules(commission):
        for row in rule(basin, today=today).order_by("on", "stage_id"):
            if row["stage_id"] in seen:
                continue
            seen.add(row["stage_id"])
            items.append(
                AgendaItem(meeting=meeting, kind=kind, stage_id=row["stage_id"], on=row["on"], figure=_days(row))
            )
    for row in agenda.open_places(basin, today=today).order_by("on", "session_id"):
        items.append(
            AgendaItem(
                meeting=meeting,
                kind=AgendaItem.Kind.OPEN_PLACES,
                session_id=row["session_id"],
                on=row["on"],
                figure=row["figure"],
            )
        )
    for row in agenda.open_decisions(commission, before=meeting.starts_at).order_by("on", "decision_id"):
        items.append(
            AgendaItem(meeting=meeting, kind=AgendaItem.Kind.DECISION, decision_id=row["decision_id"], on=row["on"])
        )
    AgendaItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


def _days(row) -> int | None:
    figure = row["figure"]
    if isinstance(figure, datetime.timedelta):
        return figure.days
    return figure


def _require_planned(meeting: Meeting) -> None:
    """Refuse to change a cancelled meeting's agenda, attendance or decisions; the meeting's row is locked and
    read again, so that an edit and a cancellation never cross."""
    status = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
    if status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Cette réunion est annulée."))


@transaction.atomic
def item_add(*, meeting: Meeting, by, title: str) -> AgendaItem:
    _require_planned(meeting)
    item = AgendaItem(meeting=meeting, kind=AgendaItem.Kind.OTHER, title=title.strip(), proposed=False)
    if not item.title:
        raise ValidationError({"title": _("Dites l'objet du point.")})
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_remove(*, item: AgendaItem, by, restore: bool = False) -> AgendaItem:
    """Take an item off the agenda (kept, marked removed), or put it back."""
    _require_planned(item.meeting)
    item.removed_at = None if restore else timezone.now()
    item.save(update_fields=["removed_at"])
    return item


@transaction.atomic
def attendance_record(*, meeting: Meeting, by, present_ids) -> int:
    """Record who of the active delegates came (by delegate id); the meeting is then held."""
    _require_planned(meeting)
    present_ids = {int(pk) for pk in present_ids}
    count = 0
    for delegate in active_delegates(meeting.commission):
        MeetingAttendance.objects.update_or_create(
            meeting=meeting,
            organisation_id=delegate.organisation_id,
            user_id=delegate.user_id,
            defaults={"present": delegate.pk in present_ids, "recorded_by": by},
        )
        count += 1
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    return count


def owner_choices(commission: Commission):
    """Who may own a decision: the commission's active delegates (each once)."""
    seen = {}
    for delegate in active_delegates(commission):
        seen.setdefault(delegate.user_id, delegate.user)
    return list(seen.values())


@transaction.atomic
def decision_create(*, item: AgendaItem, by, action: str, owner, due_on: datetime.date) -> Decision:
    """Record a decision on an item; it becomes a to-do of its owner. The to-do names the person only if its owner
    may see them (then it also leaves their list when they no longer do); else it carries the meeting's pseudonym."""
    from commissions.selectors import pseudonyms

    meeting = item.meeting
    _require_planned(meeting)
    if item.removed_at is not None:
        raise ValidationError(_("Ce point a été retiré de l'ordre du jour."))
    if owner.pk not in {user.pk for user in owner_choices(meeting.commission)}:
        raise ValidationError({"owner": _("Choisissez un·e délégué·e de la commission.")})
    decision = Decision(item=item, meeting=meeting, action=action.strip(), owner=owner, due_on=due_on, created_by=by)
    decision.full_clean()
    decision.save()
    stage, who = None, ""
    if item.stage_id is not None:
        if Stage.objects.for_user(owner).filter(pk=item.stage_id).exists():
            stage, who = item.stage, item.stage.pathway.beneficiary.full_name
        else:
            who = pseudonym_label(pseudonyms(meeting).get(item.stage.pathway.beneficiary_id))
    context = meeting.commission.name + (f" · {who}" if who else "")
    todo_set(
        source_key=decision.source_key,
        owner=owner,
        title=decision.action,
        context=context,
        due_on=due_on,
        url=meeting.get_absolute_url(),
        by=by,
        stage=stage,
    )
    return decision


def agenda_access_record(*, user, rows, view_name: str) -> int:
    """The access log of an agenda page: one row per person shown to `user` by name (`ItemRow.named`), as a person's
    page writes one (`pathways.scoping.get_for_user_or_404`), so that a person's record of who saw their data
    includes the commission pages. One insert for the whole page; the acting organisation is the reader's
    organisation that holds the stage, prescribed or opened the pathway (None for the referent alone)."""
    from accounts import access_log
    from pathways import scoping

    person_orgs = scoping.org_ids(user, roles=scoping.PERSON_ROLES)
    people = []
    for row in rows:
        if not row.named or row.stage is None:
            continue
        stage = row.stage
        pathway = stage.pathway
        candidates = (stage.organisation_id, pathway.prescribing_organisation_id, pathway.opened_by_id)
        people.append((pathway.beneficiary_id, next((org for org in candidates if org in person_orgs), None)))
    return access_log.record_many(user=user, people=people, view_name=view_name)


def pseudonym_label(number) -> str:
    return _("Personne %(number)s") % {"number": number} if number else _("Personne")
