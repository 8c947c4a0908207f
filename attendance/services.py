"""Attendance writes: the calendar, the session-day sheet, company periods, reminders, drift decisions, and the
evaluation of absence rules and escalations (run by Celery, see `attendance.tasks`)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AbsenceRules, CompanyPeriod, Drift, FollowUpAttempt, Mark, MarkChange, Slot
from attendance.notifications import DRIFT_PRESUMED, PRESUMED_ESCALATED
from attendance.rules import MarkPoint, Rules, findings
from core.calendar import training_days, working_days_between
from core.tasks import enqueue_on_commit
from core.text import REASON_MAX_LENGTH, check_length
from notifications.services import notify
from pathways.models import Membership, Session, Stage

Period = Slot.Period


def _today():
    return timezone.localdate()


# --------------------------------------------------------------------------------------------------------------
# Calendar


@transaction.atomic
def calendar_generate(*, session: Session) -> tuple[int, int]:
    """Create the half-day slots of the session's training days (public holidays left out); remove the slots that
    no longer belong to the calendar when nobody was marked on them. Returns (created, removed)."""
    hours = {
        Period.MORNING: (session.morning_start, session.morning_end),
        Period.AFTERNOON: (session.afternoon_start, session.afternoon_end),
    }
    wanted = {
        (day, period)
        for day in training_days(session.start_date, session.end_date, session.weekdays, session.holiday_subdivision)
        for period in Period
    }
    existing = dict(
        ((day, period), pk)
        for pk, day, period in Slot.objects.filter(session=session).values_list("pk", "date", "period")
    )
    new = [
        Slot(session=session, date=day, period=period, starts_at=hours[period][0], ends_at=hours[period][1])
        for day, period in sorted(wanted - set(existing))
    ]
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    stale = [pk for key, pk in existing.items() if key not in wanted]
    removed, _details = Slot.objects.filter(pk__in=stale, marks__isnull=True).delete() if stale else (0, {})
    return len(new), removed


def session_calendar_check(session: Session) -> None:
    """Registered with `pathways.services.offer`: a session's new dates, weekdays or place may not drop a half-day on
    which attendance was already taken (the marks would be lost). Refused with the days concerned."""
    if session.pk is None:
        return
    wanted = set(training_days(session.start_date, session.end_date, session.weekdays, session.holiday_subdivision))
    marked = sorted(
        {
            day
            for day in Slot.objects.filter(session_id=session.pk, marks__isnull=False).values_list("date", flat=True)
            if day not in wanted
        }
    )
    if marked:
        days = ", ".join(day.strftime("%d/%m/%Y") for day in marked[:5]) + (" …" if len(marked) > 5 else "")
        raise ValidationError(
            _(
                "La présence a déjà été saisie le %(days)s : ces jours doivent rester dans le calendrier de la "
                "session. Gardez-les dans les dates et les jours de formation, ou annulez plutôt ces demi-journées "
                "depuis le calendrier."
            )
            % {"days": days}
        )


def session_calendar_regenerate(session: Session) -> None:
    """Registered with `pathways.services.offer`: a session created or changed gets its calendar in the same
    transaction. The half-days still to come take the session's hours (those past keep the hours they were held at)."""
    calendar_generate(session=session)
    upcoming = Slot.objects.filter(session=session, date__gte=_today())
    upcoming.filter(period=Period.MORNING).update(starts_at=session.morning_start, ends_at=session.morning_end)
    upcoming.filter(period=Period.AFTERNOON).update(starts_at=session.afternoon_start, ends_at=session.afternoon_end)


@transaction.atomic
def slot_cancel(*, slot: Slot, by, reason: str) -> Slot:
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez pourquoi la demi-journée est annulée (fermeture, grève…).")})
    slot.cancelled = True
    slot.cancel_reason = reason.strip()[:200]
    slot.save(update_fields=["cancelled", "cancel_reason"])
    evaluate_on_commit(slot.session_id)
    return slot


@transaction.atomic
def slot_restore(*, slot: Slot, by) -> Slot:
    slot.cancelled = False
    slot.cancel_reason = ""
    slot.save(update_fields=["cancelled", "cancel_reason"])
    evaluate_on_commit(slot.session_id)
    return slot


@transaction.atomic
def company_period_add(*, session: Session, by, kind: str, start_date, end_date, stage: Stage | None = None):
    if stage is not None and not Stage.objects.filter(pk=stage.pk, enrolment__session=session).exists():
        raise ValidationError({"stage": _("Cette personne n'est pas inscrite dans cette session.")})
    period = CompanyPeriod(
        session=session, stage=stage, kind=kind, start_date=start_date, end_date=end_date, created_by=by
    )
    period.full_clean()
    period.save()
    evaluate_on_commit(session.pk)
    return period


@transaction.atomic
def company_period_remove(*, period: CompanyPeriod, by) -> None:
    """Remove a company period: its days count again for the absence rules (re-evaluated on commit)."""
    session_id = period.session_id
    period.delete()
    evaluate_on_commit(session_id)


# --------------------------------------------------------------------------------------------------------------
# The session-day sheet


def sheet_stages(session: Session, day: datetime.date):
    """The people expected on `day`: enrolled, their stage begun (or due to begin) by then and not ended before."""
    return (
        Stage.objects.filter(enrolment__session=session)
        .filter(
            Q(status=Stage.Status.PLANNED, planned_start__lte=day)
            | Q(status__in=[Stage.Status.IN_PROGRESS, Stage.Status.SUSPENDED], actual_start__lte=day)
            | Q(
                status__in=[Stage.Status.COMPLETED, Stage.Status.POSITIVE_EXIT, Stage.Status.ABANDONED],
                actual_start__lte=day,
                actual_end__gte=day,
            )
        )
        .order_by("pathway__beneficiary__last_name", "pathway__beneficiary__first_name", "pk")
    )


def is_locked(day: datetime.date) -> bool:
    """Sheets older than ATTENDANCE_LOCK_DAYS are locked for trainers."""
    return day < _today() - datetime.timedelta(days=settings.ATTENDANCE_LOCK_DAYS)


@dataclass
class Entry:
    stage_id: int
    slot_id: int
    status: str
    reason: str
    seen_version: int


@dataclass
class Conflict:
    stage_id: int
    slot_id: int
    person: str
    slot_label: str
    by: str
    at: datetime.datetime
    status_label: str

    @property
    def message(self) -> str:
        return _(
            "%(person)s (%(slot)s) : %(by)s a enregistré « %(status)s » à %(time)s pendant que vous saisissiez. "
            "Sa saisie est conservée ; rechargez la feuille pour la voir."
        ) % {
            "person": self.person,
            "slot": self.slot_label.lower(),
            "by": self.by,
            "status": self.status_label,
            "time": timezone.localtime(self.at).strftime("%H:%M"),
        }


@dataclass
class SaveResult:
    saved: list[Mark] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_MARK_FIELDS = ("id", "stage_id", "status", "reason", "version", "updated_at", "updated_by_id")


def _user_name(user_id) -> str:
    """Who made a conflicting change (read only when a conflict happens, which is rare)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    return str(user) if user else _("quelqu'un")


@transaction.atomic
def sheet_save(*, session: Session, day: datetime.date, by, entries: list[Entry], may_edit_locked: bool) -> SaveResult:
    """Save the marks of one sheet in a fixed number of queries, whatever its size.

    A mark changed by someone else since the sheet was loaded (its version moved) is not overwritten: it comes back
    as a conflict to show. Everything else is saved, and every change is recorded in `MarkChange`.
    """
    result = SaveResult()
    locked = is_locked(day)
    if locked and not may_edit_locked:
        result.errors.append(
            _(
                "Cette feuille a plus de %(n)s jours : elle est verrouillée. "
                "Un·e responsable pédagogique peut la corriger."
            )
            % {"n": settings.ATTENDANCE_LOCK_DAYS}
        )
        return result
    if day > _today():
        result.errors.append(_("On ne peut pas émarger un jour à venir."))
        return result
    # Locking the day's slots serialises two saves of the same sheet (PostgreSQL), so versions are compared safely.
    # One query for the day's half-days and their marks (slots left-joined to marks), locked for the save.
    slots, existing = {}, {}
    rows = (
        Slot.objects.select_for_update(of=("self",))
        .filter(session=session, date=day)
        .values("pk", "period", "cancelled", *(f"marks__{name}" for name in _MARK_FIELDS))
    )
    for row in rows:
        slots.setdefault(row["pk"], Slot(pk=row["pk"], period=row["period"], cancelled=row["cancelled"]))
        if row["marks__id"] is not None:
            mark = Mark(slot_id=row["pk"], **{name: row[f"marks__{name}"] for name in _MARK_FIELDS})
            existing[(mark.stage_id, mark.slot_id)] = mark
    people = {
        pk: f"{first} {last.upper()}"
        for pk, first, last in sheet_stages(session, day).values_list(
            "pk", "pathway__beneficiary__first_name", "pathway__beneficiary__last_name"
        )
    }
    now = timezone.now()
    to_write, changes = [], []
    for entry in entries:
        slot = slots.get(entry.slot_id)
        if slot is None or entry.stage_id not in people or slot.cancelled:
            continue
        if entry.status not in Mark.Status.values:
            continue
        reason = entry.reason if entry.status == Mark.Status.ABSENT_JUSTIFIED else ""
        if entry.status == Mark.Status.ABSENT_JUSTIFIED and reason not in Mark.Reason.values:
            reason = Mark.Reason.OTHER
        mark = existing.get((entry.stage_id, entry.slot_id))
        if mark is not None and (mark.status, mark.reason) == (entry.status, reason):
            continue
        # Someone else changed it since this sheet was loaded: keep their value and say so. (The same person saving
        # twice in quick succession, before the new version reached their page, is not a conflict.)
        if mark is not None and mark.version != entry.seen_version and mark.updated_by_id != by.pk:
            result.conflicts.append(
                Conflict(
                    stage_id=entry.stage_id,
                    slot_id=entry.slot_id,
                    person=people[entry.stage_id],
                    slot_label=str(slot.get_period_display()),
                    by=_user_name(mark.updated_by_id),
                    at=mark.updated_at,
                    status_label=mark.get_status_display(),
                )
            )
            continue
        previous = (mark.status, mark.reason) if mark else ("", "")
        written = Mark(
            pk=mark.pk if mark else None,
            slot_id=entry.slot_id,
            stage_id=entry.stage_id,
            status=entry.status,
            reason=reason,
            version=(mark.version + 1) if mark else 1,
            updated_at=now,
            updated_by=by,
        )
        to_write.append(written)
        changes.append((written, previous))
    if to_write:
        Mark.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["slot", "stage"],
            update_fields=["status", "reason", "version", "updated_at", "updated_by"],
        )
        MarkChange.objects.bulk_create(
            MarkChange(
                mark_id=mark.pk,
                from_status=previous[0],
                from_reason=previous[1],
                to_status=mark.status,
                to_reason=mark.reason,
                after_lock=locked,
                by=by,
            )
            for mark, previous in changes
        )
        evaluate_on_commit(session.pk)
    result.saved = to_write
    return result


@transaction.atomic
def sheet_mark_all_present(*, session: Session, day: datetime.date, by, may_edit_locked: bool) -> SaveResult:
    """Mark present everyone not yet marked on the day's held half-days (then the trainer types the exceptions)."""
    slots = list(Slot.objects.held().filter(session=session, date=day))
    stages = list(sheet_stages(session, day).filter(status__in=[Stage.Status.PLANNED, Stage.Status.IN_PROGRESS]))
    periods = list(CompanyPeriod.objects.filter(session=session, start_date__lte=day, end_date__gte=day))
    marked = set(Mark.objects.filter(slot__in=slots).values_list("stage_id", "slot_id"))
    entries = [
        Entry(stage_id=stage.pk, slot_id=slot.pk, status=Mark.Status.PRESENT, reason="", seen_version=0)
        for stage in stages
        for slot in slots
        if (stage.pk, slot.pk) not in marked and not any(p.covers(stage.pk, day) for p in periods)
    ]
    return sheet_save(session=session, day=day, by=by, entries=entries, may_edit_locked=may_edit_locked)


def evaluate_on_commit(session_id: int) -> None:
    """Evaluate the session's rules once the transaction commits (nothing if it rolls back). A transaction holding
    several saves of a session enqueues one evaluation per save: the evaluation is idempotent, and a request makes
    one save."""
    enqueue_on_commit(
        "attendance.tasks.evaluate_session_task", session_id, catch_up="the periodic evaluation will catch up"
    )


# --------------------------------------------------------------------------------------------------------------
# Rule evaluation (Celery only)


def rules_for(session: Session) -> Rules:
    action = session.training_action
    layers = {
        r.training_action_id or ("p", r.programme_id): r
        for r in AbsenceRules.objects.filter(Q(training_action=action) | Q(programme_id=action.programme_id))
    }
    return Rules.resolve(layers.get(action.pk), layers.get(("p", action.programme_id)))


@transaction.atomic
def evaluate_session(*, session_id: int, today: datetime.date | None = None) -> dict:
    """Open the drifts the rules find, refresh the live ones, close those the person came back from.

    Idempotent: a drift is unique per (stage, reason) while live, so running twice opens nothing more.
    """
    today = today or _today()
    session = Session.objects.select_related("training_action").get(pk=session_id)
    rules = rules_for(session)
    stages = list(
        Stage.objects.filter(enrolment__session=session, status__in=[Stage.Status.PLANNED, Stage.Status.IN_PROGRESS])
    )
    stage_ids = [s.pk for s in stages]
    periods = list(CompanyPeriod.objects.filter(session=session))
    marks = (
        Mark.objects.filter(stage_id__in=stage_ids, slot__session=session, slot__cancelled=False, slot__date__lte=today)
        .select_related("slot")
        .order_by("slot__date", "slot__period")
    )
    points: dict[int, list[MarkPoint]] = {pk: [] for pk in stage_ids}
    for mark in marks:
        if any(p.covers(mark.stage_id, mark.slot.date) for p in periods):
            continue
        points[mark.stage_id].append(MarkPoint(mark.slot.date, mark.slot.period, mark.status, float(mark.slot.hours)))
    held_days = sorted(set(Slot.objects.held().filter(session=session).values_list("date", flat=True)))
    live = {(d.stage_id, d.reason): d for d in Drift.objects.live().filter(stage_id__in=stage_ids)}
    # When a drift of the same reason already ended, only new evidence after its end reopens one (a no-show never
    # does: there is one first day); a confirmed rupture leaves the stage to the rupture process.
    ended_on, confirmed = {}, set()
    for stage_id, reason, status, closed_at in (
        Drift.objects.filter(stage_id__in=stage_ids)
        .exclude(status__in=Drift.LIVE_STATUSES)
        .order_by("closed_at")
        .values_list("stage_id", "reason", "status", "closed_at")
    ):
        ended_on[(stage_id, reason)] = timezone.localtime(closed_at).date()
        if status == Drift.Status.CONFIRMED:
            confirmed.add(stage_id)
    opened, refreshed, closed = [], 0, 0
    now = timezone.now()
    for stage in stages:
        if stage.pk in confirmed:
            continue
        marks_of = points[stage.pk]
        start = stage.actual_start or stage.planned_start
        first_day = next(
            (day for day in held_days if day >= start and not any(p.covers(stage.pk, day) for p in periods)), None
        )
        found = {f.reason: f for f in findings(marks_of, rules, today, first_day)}
        for reason, finding in found.items():
            drift = live.get((stage.pk, reason))
            if drift is not None:
                if (drift.detail, drift.risk) != (finding.detail, finding.risk):
                    Drift.objects.filter(pk=drift.pk).update(detail=finding.detail, risk=finding.risk)
                    refreshed += 1
                continue
            since = ended_on.get((stage.pk, reason))
            if since is not None and (
                reason == Drift.Reason.NO_SHOW
                or not any(p.status == Mark.Status.ABSENT_UNJUSTIFIED and p.date > since for p in marks_of)
            ):
                continue
            opened.append(Drift(stage=stage, reason=reason, detail=finding.detail, risk=finding.risk))
        # Their return closes an open drift; so does a rule that no longer holds (marks corrected). A presumed
        # rupture waits for the trainer's decision.
        for (stage_id, reason), drift in live.items():
            if stage_id != stage.pk or drift.status != Drift.Status.OPEN or reason not in Drift.RULE_REASONS:
                continue
            opened_day = timezone.localtime(drift.opened_at).date()
            came_back = any(p.status in Mark.ATTENDED and p.date > opened_day for p in marks_of)
            if came_back or reason not in found:
                closure = Drift.Closure.CAME_BACK if came_back else Drift.Closure.RESOLVED
                closed += Drift.objects.filter(pk=drift.pk, status=Drift.Status.OPEN).update(
                    status=Drift.Status.CLOSED, closure=closure, closed_at=now
                )
    Drift.objects.bulk_create(opened, ignore_conflicts=True)
    # A stage that ended (exit, suspension) leaves nothing to watch in this session.
    ended = (
        Drift.objects.live()
        .filter(stage__enrolment__session=session)
        .exclude(stage__status__in=[Stage.Status.PLANNED, Stage.Status.IN_PROGRESS])
    )
    closed += ended.filter(status=Drift.Status.OPEN).update(
        status=Drift.Status.CLOSED, closure=Drift.Closure.STAGE_ENDED, closed_at=timezone.now()
    )
    return {"opened": len(opened), "refreshed": refreshed, "closed": closed}


# --------------------------------------------------------------------------------------------------------------
# Escalation (Celery beat)


def _session_of(drift: Drift) -> Session:
    return drift.stage.enrolment.session


def _people_params(drift: Drift) -> dict:
    return {
        "person": drift.stage.pathway.beneficiary.full_name,
        "session": drift.stage.enrolment.session.training_action.title,
        "reason": drift.reason,
    }


def _staff_of(stage: Stage, roles) -> list:
    members = Membership.objects.active().filter(organisation_id=stage.organisation_id, role__in=roles)
    return [m.user for m in members.select_related("user")]


def _presume(drift: Drift, *, why: str) -> bool:
    """Make a live open drift a presumed rupture and tell the trainers and the referent. False if already done."""
    now = timezone.now()
    changed = Drift.objects.filter(pk=drift.pk, status=Drift.Status.OPEN).update(
        status=Drift.Status.PRESUMED, presumed_at=now
    )
    if not changed:
        return False
    session = _session_of(drift)
    trainers = list(session.trainers.all()) or _staff_of(
        drift.stage, [Membership.Role.TRAINER, Membership.Role.PEDAGOGICAL_MANAGER]
    )
    notify(
        recipients=[*trainers, drift.stage.pathway.referent],
        kind=DRIFT_PRESUMED,
        stage=drift.stage,
        cause_key=f"drift:{drift.pk}:presumed",
        url=reverse("attendance:drift_detail", args=[drift.pk]),
        params={**_people_params(drift), "why": why},
    )
    return True


@transaction.atomic
def escalate(*, today: datetime.date | None = None) -> dict:
    """Presume the drifts whose reminders failed or that stayed open too long; tell the organisation manager of
    presumed ruptures left undecided. Each step happens once (conditional updates, idempotent notifications)."""
    today = today or _today()
    presumed = escalated = 0
    drifts = (
        Drift.objects.live()
        .select_related(
            "stage__pathway__beneficiary",
            "stage__pathway__referent",
            "stage__enrolment__session__training_action__programme",
            "stage__enrolment__session__commune",
        )
        .annotate(unanswered=Count("attempts", filter=Q(attempts__outcome=FollowUpAttempt.Outcome.NO_ANSWER)))
    )
    rules_cache: dict[int, Rules] = {}
    for drift in drifts:
        session = _session_of(drift)
        if session.pk not in rules_cache:
            rules_cache[session.pk] = rules_for(session)
        rules = rules_cache[session.pk]
        if drift.status == Drift.Status.OPEN:
            open_days = working_days_between(
                timezone.localtime(drift.opened_at).date(), today, session.holiday_subdivision
            )
            if drift.unanswered >= rules.reminders_before_presumed:
                presumed += _presume(drift, why="reminders")
            elif open_days >= rules.drift_working_days:
                presumed += _presume(drift, why="open_days")
        elif drift.escalated_at is None:
            waited = working_days_between(
                timezone.localtime(drift.presumed_at).date(), today, session.holiday_subdivision
            )
            if waited >= rules.presumed_escalation_working_days:
                changed = Drift.objects.filter(pk=drift.pk, escalated_at__isnull=True).update(
                    escalated_at=timezone.now()
                )
                if changed:
                    notify(
                        recipients=_staff_of(drift.stage, [Membership.Role.ORG_MANAGER]),
                        kind=PRESUMED_ESCALATED,
                        stage=drift.stage,
                        cause_key=f"drift:{drift.pk}:escalated",
                        url=reverse("attendance:drift_detail", args=[drift.pk]),
                        params={**_people_params(drift), "since": drift.presumed_at.date().isoformat()},
                    )
                    escalated += 1
    return {"presumed": presumed, "escalated": escalated}


# --------------------------------------------------------------------------------------------------------------
# Reminders and decisions


@transaction.atomic
def follow_up_record(*, drift: Drift, by, channel: str, outcome: str, comment: str = "") -> FollowUpAttempt:
    """Log a reminder. Reaching the person or their return closes the stage's live drifts; a refusal makes the drift
    a presumed rupture at once; enough unanswered reminders do too."""
    drift = (
        Drift.objects.select_for_update(of=("self",))
        .select_related(
            "stage__pathway__beneficiary", "stage__pathway__referent", "stage__enrolment__session__training_action"
        )
        .get(pk=drift.pk)
    )
    if drift.status not in Drift.LIVE_STATUSES:
        raise ValidationError(_("Ce décrochage est clos : la relance n'est plus utile."))
    attempt = FollowUpAttempt(drift=drift, channel=channel, outcome=outcome, comment=comment.strip(), by=by)
    attempt.full_clean()
    attempt.save()
    Outcome = FollowUpAttempt.Outcome
    if outcome in (Outcome.REACHED, Outcome.CAME_BACK):
        closure = Drift.Closure.REACHED if outcome == Outcome.REACHED else Drift.Closure.CAME_BACK
        Drift.objects.live().filter(stage=drift.stage).update(
            status=Drift.Status.CLOSED, closure=closure, closed_at=timezone.now(), decided_by=by
        )
    elif outcome == Outcome.REFUSES:
        _presume(drift, why="refuses")
    elif outcome == Outcome.NO_ANSWER and drift.status == Drift.Status.OPEN:
        rules = rules_for(_session_of(drift))
        if drift.attempts.filter(outcome=Outcome.NO_ANSWER).count() >= rules.reminders_before_presumed:
            _presume(drift, why="reminders")
    return attempt


# The risk of a drift the person signals: above every rule's first finding, so that it tops the watch list.
SIGNAL_RISK = 70


@transaction.atomic
def drift_signal(*, stage: Stage, by) -> Drift:
    """A drift the person signals themself (seed 000: ruptures are identified "par le rompant lui-même" too), e.g.
    through the speaking groups' hotline, with their agreement. It joins the training body's watch list like a drift
    the rules find and follows the same reminders and decisions; it says who identified it (the person), never how
    it was heard. One live signal per stage; only a stage taken in a session, planned or in progress."""
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    if stage.status not in (Stage.Status.PLANNED, Stage.Status.IN_PROGRESS):
        raise ValidationError(_("Cette étape n'est pas en cours : un décrochage ne peut plus y être signalé."))
    if not hasattr(stage, "enrolment"):
        raise ValidationError(_("Cette étape n'a lieu dans aucune session : aucun organisme ne suit son assiduité."))
    if Drift.objects.live().filter(stage=stage, reason=Drift.Reason.SIGNAL).exists():
        raise ValidationError(_("Un signalement de la personne est déjà ouvert pour cette étape."))
    drift = Drift(stage=stage, reason=Drift.Reason.SIGNAL, detail={"identified_by": "person"}, risk=SIGNAL_RISK)
    drift.full_clean()
    drift.save()
    return drift


@transaction.atomic
def drift_decide(*, drift: Drift, by, confirm: bool, note: str = "") -> Drift:
    """The trainer confirms a presumed rupture, or dismisses it (with a word on why)."""
    drift = Drift.objects.select_for_update().get(pk=drift.pk)
    if drift.status != Drift.Status.PRESUMED:
        raise ValidationError(_("Seule une rupture présumée se confirme ou s'écarte."))
    if not confirm and not note.strip():
        raise ValidationError({"note": _("Dites pourquoi la rupture présumée est écartée.")})
    check_length(note.strip(), max_length=REASON_MAX_LENGTH, field="note")
    drift.status = Drift.Status.CONFIRMED if confirm else Drift.Status.CLOSED
    drift.closure = "" if confirm else Drift.Closure.DISMISSED
    drift.closed_at = timezone.now()
    drift.closing_note = note.strip()
    drift.decided_by = by
    drift.save(update_fields=["status", "closure", "closed_at", "closing_note", "decided_by"])
    return drift
