"""Demo attendance for `manage.py seed_demo`: calendars, company periods, a closure, the sheets of the last weeks
filled half-day by half-day, and a few people drifting, so that the watch list has something to show.

Everything goes through `attendance.services`, as the staff would: the calendar of each session is generated, the
sheet of each day saved by a trainer of the session's training body, the absence rules evaluated and the escalation
run in the evening of each simulated day, reminders recorded the next morning. The services stamp their rows with
the current time; each step is then backdated to the simulated moment it took place (`Stamps`), so that a drift
opened a week ago reads, and escalates, as one opened a week ago. The last step evaluates every session as of
today, so a worker evaluating them again finds nothing to change.

Who drifts (`STORIES`), among the people in progress in the sessions running today, most at INSUP Cenon (the
demo trainer's watch list):
- two with consecutive unjustified absences since yesterday or the day before (one reminded by SMS, no answer yet);
- two whose attendance over the last ten days fell under the threshold, absent a half-day here and there;
- one who has not come since the first day of a stage that started recently (a no-show; two reminders
  unanswered: presumed rupture);
- one absent a whole day last week, reached by phone the next morning and back since (drift closed);
- one absent for about two weeks who, once reached, refuses to come back (presumed rupture, then reported to the
  organisation manager).
Everyone else is present, sometimes late, now and then absent with a reason. A group of two sessions alternates
with periods in company, one person is in immersion, and INSUP Cenon closed a day for its staff's training.
"""

import datetime
from dataclasses import dataclass, field

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from attendance.models import CompanyPeriod, Drift, FollowUpAttempt, Mark, MarkChange, Slot
from attendance.services import (
    Entry,
    calendar_generate,
    company_period_add,
    escalate,
    evaluate_session,
    follow_up_record,
    sheet_save,
    slot_cancel,
)
from notifications.models import Notification
from pathways.models import Membership, Organisation, Session, Stage, StageTransition

# As in `seed_demo`: the demo accounts' domain, and the training body whose trainer the command prints.
DEMO_DOMAIN = "demo.sans-rupture.fr"
DEMO_BODY = "INSUP Cenon"
DEMO_TRAINER = f"formateur@insup-cenon.{DEMO_DOMAIN}"

Role = Membership.Role
Status = Mark.Status
Reason = Mark.Reason
Channel = FollowUpAttempt.Channel
Outcome = FollowUpAttempt.Outcome
DAY = datetime.timedelta(days=1)
MONDAY_TO_FRIDAY = 0b11111
UNJUSTIFIED = (Status.ABSENT_UNJUSTIFIED, "")
CLOSURE_REASON = "Fermeture : journée de formation des équipes"


@dataclass(frozen=True)
class StoryPlan:
    """A drifting person: where (the demo training body or another), what the marks show, which drift the reminders
    are about and the reminders themselves, one per morning once that drift is open."""

    name: str
    at_demo_body: bool
    reason: str
    attempts: tuple = ()


STORIES = [
    StoryPlan(
        "consecutive",
        True,
        Drift.Reason.CONSECUTIVE,
        ((Channel.SMS, Outcome.NO_ANSWER, "SMS envoyé ce matin, pas de réponse pour l'instant."),),
    ),
    StoryPlan("consecutive", False, Drift.Reason.CONSECUTIVE),
    StoryPlan("low_rate", True, Drift.Reason.LOW_RATE),
    StoryPlan("low_rate", False, Drift.Reason.LOW_RATE),
    StoryPlan(
        "reached",
        True,
        Drift.Reason.CONSECUTIVE,
        ((Channel.CALL, Outcome.REACHED, "Joint·e par téléphone : souci de transport réglé, revient ce matin."),),
    ),
    StoryPlan(
        "refuses",
        True,
        Drift.Reason.CONSECUTIVE,
        (
            (Channel.CALL, Outcome.NO_ANSWER, "Appel sans réponse, message laissé sur le répondeur."),
            (
                Channel.CALL,
                Outcome.REFUSES,
                "Joint·e par téléphone : ne souhaite pas revenir en formation. "
                "Un rendez-vous lui est proposé pour faire le point.",
            ),
        ),
    ),
    StoryPlan(
        "no_show",
        True,
        Drift.Reason.NO_SHOW,
        (
            (Channel.CALL, Outcome.NO_ANSWER, "Appel sans réponse le lendemain du démarrage."),
            (Channel.SMS, Outcome.NO_ANSWER, "SMS de relance, sans réponse."),
        ),
    ),
]


@dataclass
class Story:
    plan: StoryPlan
    stage: "StageInfo"
    attempts: list = field(default_factory=list)


@dataclass
class StageInfo:
    pk: int
    session_id: int
    organisation_id: int
    status: str
    actual_start: datetime.date | None
    actual_end: datetime.date | None
    pauses: list = field(default_factory=list)  # [(suspended on, resumed on or None)]


class Stamps:
    """Backdate what the services stamped with the current time during one step to the simulated moment of it."""

    CREATED = (
        (Mark, "updated_at"),
        (MarkChange, "at"),
        (Drift, "opened_at"),
        (FollowUpAttempt, "at"),
        (LogEntry, "timestamp"),
        (Notification, "created_at"),
    )
    LATER = ("presumed_at", "escalated_at", "closed_at")  # set by a step on drifts opened before it

    def __init__(self):
        self.last = {model: self._max(model) for model, _field in self.CREATED}
        self.since = timezone.now()

    @staticmethod
    def _max(model):
        return model.objects.aggregate(last=Max("pk"))["last"] or 0

    def stamp(self, moment: datetime.datetime) -> None:
        for model, name in self.CREATED:
            values = {name: moment}
            if model is MarkChange:
                values["after_lock"] = False  # the sheet is saved on its day, not corrected weeks later
            if model.objects.filter(pk__gt=self.last[model]).update(**values):
                self.last[model] = self._max(model)
        for name in self.LATER:
            Drift.objects.filter(**{f"{name}__gte": self.since}).update(**{name: moment})
        self.since = timezone.now()


def refresh_planner_statistics() -> None:
    """After a bulk load, let PostgreSQL's planner see the new rows (ANALYZE works inside the seed's transaction);
    without it, queries planned for empty tables crawl through the thousands of rows just written."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_sessions():
    """The sessions of the demo training bodies (those whose staff have demo accounts)."""
    bodies = Membership.objects.filter(
        user__email__endswith=f".{DEMO_DOMAIN}", organisation__kind=Organisation.Kind.TRAINING_BODY
    ).values("organisation")
    return Session.objects.filter(training_action__training_body__in=bodies)


def seed_attendance(*, today: datetime.date, rng, stdout=None) -> dict:
    """Fill the attendance of the demo sessions up to `today`; nothing if any demo session already has a mark."""
    sessions = demo_sessions()
    demo_trainer = Membership.objects.active().filter(user__email=DEMO_TRAINER, role=Role.TRAINER).first()
    if demo_trainer is not None:
        for session in sessions.filter(training_action__training_body=demo_trainer.organisation_id):
            session.trainers.add(demo_trainer.user)
    if Mark.objects.filter(slot__session__in=sessions).exists():
        return {"skipped": True}
    return AttendanceSeeder(today=today, rng=rng, sessions=sessions, stdout=stdout).run()


class AttendanceSeeder:
    def __init__(self, *, today, rng, sessions, stdout=None):
        self.today = today
        self.rng = rng
        self.stdout = stdout
        self.now = timezone.localtime()
        # Statements need whole months: from the first day of last month.
        self.start = (today.replace(day=1) - DAY).replace(day=1)
        self.monday = today - datetime.timedelta(days=today.weekday())
        self.all_sessions = list(sessions.select_related("training_action__training_body").order_by("start_date", "pk"))
        self.sessions = [s for s in self.all_sessions if s.start_date <= today and s.end_date >= self.start]
        self.counts = {"sheets": 0, "evaluations": 0}
        self.staff = {}
        self.profiles = {}
        self.history = {}  # stage pk -> {"unjustified": date, "justified": date, "sick_until": date}
        self.plan = {}  # (stage pk, slot pk) -> (status, reason): what the stories and exits show
        self.clean = set()  # stages marked only present or late, outside what their story shows
        self.stories = []

    # The whole run -------------------------------------------------------------------------------------------

    def run(self) -> dict:
        for session in self.all_sessions:
            if session.end_date >= self.start:
                calendar_generate(session=session)
        refresh_planner_statistics()
        self.load_stages()
        self.add_company_periods()
        self.cancel_closure()
        self.load_slots()
        self.choose_stories()
        self.plan_exits()
        self.stamps = Stamps()
        story_sessions = sorted({story.stage.session_id for story in self.stories})
        story_start = min((self.story_start(story) for story in self.stories), default=self.today)
        days = sorted({day for per_day in self.held.values() for day in per_day})
        for day in days:
            if day >= story_start:
                self.morning_reminders(day)
            self.save_sheets(day)
            if day >= story_start:
                self.evening_rules(day, story_sessions)
        # As a worker would now: every session evaluated as of today, then the escalation.
        for session in self.sessions:
            evaluate_session(session_id=session.pk, today=self.today)
            self.counts["evaluations"] += 1
        escalate(today=self.today)
        return self.summary()

    def summary(self) -> dict:
        ids = [s.pk for s in self.all_sessions]
        drifts = Drift.objects.filter(stage__enrolment__session__in=ids)
        counts = {
            "slots": Slot.objects.filter(session__in=ids).count(),
            "cancelled": Slot.objects.filter(session__in=ids, cancelled=True).count(),
            "company_periods": CompanyPeriod.objects.filter(session__in=ids).count(),
            "marks": Mark.objects.filter(slot__session__in=ids).count(),
            "drifts_open": drifts.filter(status=Drift.Status.OPEN).count(),
            "presumed": drifts.filter(status=Drift.Status.PRESUMED).count(),
            "drifts_closed": drifts.filter(status=Drift.Status.CLOSED).count(),
            "attempts": FollowUpAttempt.objects.filter(drift__in=drifts).count(),
            "stories": [f"{story.plan.name}:{story.stage.pk}" for story in self.stories],
            **self.counts,
        }
        if self.stdout is not None:
            self.stdout.write(
                f"Assiduité : {counts['slots']} demi-journées au calendrier, {counts['sheets']} feuilles d'émargement "
                f"enregistrées depuis le {self.start:%d/%m/%Y}, {counts['attempts']} relances."
            )
        return counts

    # Reference data ------------------------------------------------------------------------------------------

    def member(self, organisation_id, *roles):
        """A trainer (or else a pedagogical manager) of the training body: who fills its sheets."""
        key = (organisation_id, roles)
        if key not in self.staff:
            memberships = Membership.objects.active().filter(organisation_id=organisation_id).select_related("user")
            self.staff[key] = next(
                (m.user for role in roles for m in memberships.filter(role=role).order_by("user__email")), None
            )
        return self.staff[key]

    def trainer(self, organisation_id):
        return self.member(organisation_id, Role.TRAINER, Role.PEDAGOGICAL_MANAGER)

    def manager(self, organisation_id):
        return self.member(organisation_id, Role.PEDAGOGICAL_MANAGER, Role.TRAINER)

    def body_of(self, session) -> Organisation:
        return session.training_action.training_body

    def load_stages(self):
        self.stages = {}
        self.stages_of = {s.pk: [] for s in self.sessions}
        rows = (
            Stage.objects.filter(enrolment__session__in=self.sessions)
            .order_by("pk")
            .values_list("pk", "enrolment__session_id", "organisation_id", "status", "actual_start", "actual_end")
        )
        for pk, session_id, organisation_id, status, actual_start, actual_end in rows:
            info = StageInfo(pk, session_id, organisation_id, status, actual_start, actual_end)
            self.stages[pk] = info
            self.stages_of[session_id].append(info)
        pauses = StageTransition.objects.filter(
            stage__in=list(self.stages),
            action__in=[StageTransition.Action.SUSPEND, StageTransition.Action.RESUME],
        ).order_by("stage", "effective_date", "at", "pk")
        for stage_id, action, day in pauses.values_list("stage_id", "action", "effective_date"):
            info = self.stages[stage_id]
            if action == StageTransition.Action.SUSPEND:
                info.pauses.append((day, None))
            elif info.pauses and info.pauses[-1][1] is None:
                info.pauses[-1] = (info.pauses[-1][0], day)

    def load_slots(self):
        """The held half-days to mark, per session and day: every day up to yesterday, and today's half-days that
        have begun."""
        self.held = {s.pk: {} for s in self.sessions}
        slots = Slot.objects.held().filter(session__in=self.sessions, date__gte=self.start, date__lte=self.today)
        for slot in slots.order_by("date", "period"):
            if slot.date == self.today and slot.starts_at > self.now.time():
                continue
            self.held[slot.session_id].setdefault(slot.date, []).append(slot)
        self.periods = {s.pk: [] for s in self.sessions}
        for period in CompanyPeriod.objects.filter(session__in=self.sessions):
            self.periods[period.session_id].append(period)

    def expected(self, stage: StageInfo, day: datetime.date) -> bool:
        """On the sheet and to be marked: begun, not ended, not suspended, not in a company."""
        if stage.status == Stage.Status.PLANNED or stage.actual_start is None or day < stage.actual_start:
            return False
        if stage.actual_end is not None and day > stage.actual_end:
            return False
        if any(start <= day and (end is None or day < end) for start, end in stage.pauses):
            return False
        return not any(p.covers(stage.pk, day) for p in self.periods.get(stage.session_id, ()))

    def slots_of(self, stage: StageInfo) -> list:
        """The half-days `stage` is marked on, in calendar order."""
        per_day = self.held[stage.session_id]
        return [slot for day in sorted(per_day) if self.expected(stage, day) for slot in per_day[day]]

    def in_progress(self, session) -> list:
        return [st for st in self.stages_of[session.pk] if st.status == Stage.Status.IN_PROGRESS]

    def current(self, *, demo_body: bool, since_days: int = 0):
        """Sessions of five days a week running today (for `since_days` at least), of the demo body or the others."""
        return [
            s
            for s in self.sessions
            if s.weekdays == MONDAY_TO_FRIDAY
            and s.end_date >= self.today
            and s.start_date <= self.today - datetime.timedelta(days=since_days)
            and (self.body_of(s).name == DEMO_BODY) == demo_body
        ]

    # Calendar: company periods and a closure ------------------------------------------------------------------

    def add_company_periods(self):
        """An alternance rhythm for two groups (two weeks in company six weeks ago, two more in a fortnight), and an
        immersion of two weeks for one person at the demo body, until the end of this week."""
        past = (self.monday - datetime.timedelta(weeks=6), self.monday - datetime.timedelta(weeks=6) + 11 * DAY)
        upcoming = (self.monday + datetime.timedelta(weeks=2), self.monday + datetime.timedelta(weeks=2) + 11 * DAY)
        self.alternance = []
        for demo_body in (True, False):
            candidates = [s for s in self.current(demo_body=demo_body) if s.start_date <= past[0] - 14 * DAY]
            if not candidates:
                continue
            session = max(candidates, key=lambda s: (len(self.in_progress(s)), -s.pk))
            self.alternance.append(session)
            by = self.manager(self.body_of(session).pk)
            for start, end in (past, upcoming):
                if end <= session.end_date:
                    with set_actor(by):
                        company_period_add(
                            session=session,
                            by=by,
                            kind=CompanyPeriod.Kind.ALTERNANCE,
                            start_date=start,
                            end_date=end,
                        )
        self.immersion = None
        start, end = self.monday - 7 * DAY, self.monday + 4 * DAY
        candidates = [
            st
            for s in self.current(demo_body=True)
            if s.end_date >= end
            for st in self.in_progress(s)
            if st.actual_start <= start - 14 * DAY and not st.pauses
        ]
        alternating = {s.pk for s in self.alternance}
        candidates = [st for st in candidates if st.session_id not in alternating] or candidates
        if candidates:
            stage = self.rng.choice(candidates)
            session = next(s for s in self.sessions if s.pk == stage.session_id)
            by = self.manager(stage.organisation_id)
            with set_actor(by):
                company_period_add(
                    session=session,
                    by=by,
                    kind=CompanyPeriod.Kind.IMMERSION,
                    start_date=start,
                    end_date=end,
                    stage=Stage.objects.get(pk=stage.pk),
                )
            self.immersion = stage.pk
            self.clean.add(stage.pk)

    def cancel_closure(self):
        """INSUP Cenon closed for a day four weeks ago: its staff were in training."""
        demo = [s for s in self.sessions if self.body_of(s).name == DEMO_BODY]
        day = self.monday - datetime.timedelta(weeks=4) + 2 * DAY  # a Wednesday
        slots = Slot.objects.filter(session__in=demo, date__gte=day).order_by("date")
        first = slots.values_list("date", flat=True).first()
        if first is None or first > day + 7 * DAY:
            return
        for slot in Slot.objects.filter(session__in=demo, date=first).order_by("session", "period"):
            by = self.manager(self.body_of(slot.session).pk)
            with set_actor(by):
                slot_cancel(slot=slot, by=by, reason=CLOSURE_REASON)

    # Who drifts, and how ---------------------------------------------------------------------------------------

    def choose_stories(self):
        taken = {self.immersion}
        pools = {}
        for demo_body in (True, False):
            pool = [
                st
                for s in self.current(demo_body=demo_body, since_days=28)
                for st in self.in_progress(s)
                if st.actual_start <= self.today - 21 * DAY and not st.pauses
            ]
            self.rng.shuffle(pool)
            pools[demo_body] = pool
        # A no-show: the stage started most recently, at the demo body if one did in the last four weeks.
        recent = [
            st
            for demo_body in (True, False)
            for s in self.current(demo_body=demo_body)
            for st in self.in_progress(s)
            if self.today - 28 * DAY <= st.actual_start <= self.today - 3 * DAY and not st.pauses
        ]
        for plan in STORIES:
            if plan.name == "no_show":
                candidates = sorted(
                    (st for st in recent if st.pk not in taken),
                    key=lambda st: (self.is_demo(st) == plan.at_demo_body, st.actual_start, st.pk),
                )
                stage = candidates[-1] if candidates else None
            else:
                # Spread the stories over the bodies and sessions not yet used when possible.
                used = {story.stage.session_id for story in self.stories}
                pool = [st for st in pools[plan.at_demo_body] if st.pk not in taken]
                stage = next((st for st in pool if st.session_id not in used), pool[0] if pool else None)
            if stage is None:
                continue
            marks = self.story_marks(plan.name, self.slots_of(stage))
            if not marks:
                continue
            taken.add(stage.pk)
            self.clean.add(stage.pk)
            self.plan.update({(stage.pk, slot.pk): UNJUSTIFIED for slot in marks})
            self.stories.append(Story(plan, stage, list(plan.attempts)))

    def is_demo(self, stage: StageInfo) -> bool:
        session = next(s for s in self.sessions if s.pk == stage.session_id)
        return self.body_of(session).name == DEMO_BODY

    @staticmethod
    def story_marks(name: str, slots: list) -> list:
        """The half-days a story's person misses (unjustified), counted back from the last marked half-day."""
        days = sorted({slot.date for slot in slots})
        if name == "no_show":
            return slots  # never came since the first day
        if len(days) < 10:
            return []
        if name == "consecutive":
            # Since the morning before the last marked day: the drift opened a day ago at most, it is still fresh.
            return slots[-3:] if slots[-1].period == Slot.Period.MORNING else slots[-4:]
        if name == "low_rate":
            return [slots[-1 - i] for i in (0, 2, 4, 7)]  # never two in a row: no consecutive rule
        if name == "reached":
            return [slot for slot in slots if slot.date == days[-6]]  # a whole day, last week
        if name == "refuses":
            return [slot for slot in slots if slot.date >= days[-9]]  # two weeks gone
        raise ValueError(name)

    def story_start(self, story: Story) -> datetime.date:
        missed = [slot.date for slot in self.slots_of(story.stage) if (story.stage.pk, slot.pk) in self.plan]
        return min(missed, default=self.today)

    def plan_exits(self):
        """Who abandoned a stage was absent, unjustified, on its last three days."""
        for stage in self.stages.values():
            if stage.status != Stage.Status.ABANDONED or stage.actual_end is None or stage.actual_end < self.start:
                continue
            slots = self.slots_of(stage)
            last_days = sorted({slot.date for slot in slots})[-3:]
            self.plan.update({(stage.pk, slot.pk): UNJUSTIFIED for slot in slots if slot.date in last_days})

    # Marks of everyone else --------------------------------------------------------------------------------------

    def baseline(self, stage: StageInfo, day: datetime.date, slots: list) -> list:
        """Present (a few late), now and then absent with a reason, very rarely an isolated unjustified half-day,
        never enough to meet an absence rule."""
        rng = self.rng
        if stage.pk not in self.profiles:
            self.profiles[stage.pk] = rng.choice([0.01, 0.03, 0.03, 0.06, 0.1])  # how often late
        late = self.profiles[stage.pk]
        history = self.history.setdefault(stage.pk, {})

        def attended():
            return (Status.LATE if rng.random() < late else Status.PRESENT, "")

        statuses = [attended() for _slot in slots]
        if stage.pk in self.clean or day == stage.actual_start:
            return statuses
        long_ago = day - datetime.timedelta(days=30)
        if history.get("sick_until", long_ago) >= day:
            return [(Status.ABSENT_JUSTIFIED, Reason.ILLNESS)] * len(slots)
        quiet = day - history.get("unjustified", long_ago) > datetime.timedelta(days=15)
        draw = rng.random()
        if draw < 0.015 and quiet:  # a day away with a reason, sometimes a few
            reason = rng.choice([Reason.ILLNESS, Reason.ILLNESS, Reason.FAMILY, Reason.OTHER])
            if reason == Reason.ILLNESS and rng.random() < 0.4:
                history["sick_until"] = day + datetime.timedelta(days=rng.randint(1, 3))
            history["justified"] = day
            return [(Status.ABSENT_JUSTIFIED, reason)] * len(slots)
        if draw < 0.035 and quiet:  # an appointment, an interview
            history["justified"] = day
            statuses[rng.randrange(len(slots))] = (
                Status.ABSENT_JUSTIFIED,
                rng.choice([Reason.APPOINTMENT, Reason.APPOINTMENT, Reason.JOB_INTERVIEW]),
            )
        elif draw < 0.045 and quiet and day - history.get("justified", long_ago) > datetime.timedelta(days=12):
            if day - stage.actual_start > datetime.timedelta(days=14):
                history["unjustified"] = day
                statuses[rng.randrange(len(slots))] = UNJUSTIFIED
        return statuses

    # The days ----------------------------------------------------------------------------------------------------

    def moment(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        naive = datetime.datetime.combine(day, datetime.time(hour)) + datetime.timedelta(minutes=minute)
        return min(timezone.make_aware(naive), timezone.now())

    def save_sheets(self, day: datetime.date):
        """Each session's sheet of `day`, saved by a trainer of its training body."""
        for session in self.sessions:
            slots = self.held[session.pk].get(day)
            if not slots:
                continue
            entries = []
            for stage in self.stages_of[session.pk]:
                if not self.expected(stage, day):
                    continue
                statuses = self.baseline(stage, day, slots)
                for slot, (status, reason) in zip(slots, statuses, strict=True):
                    status, reason = self.plan.get((stage.pk, slot.pk), (status, reason))
                    entries.append(
                        Entry(stage_id=stage.pk, slot_id=slot.pk, status=status, reason=reason, seen_version=0)
                    )
            if not entries:
                continue
            by = self.trainer(self.body_of(session).pk)
            with set_actor(by):
                result = sheet_save(session=session, day=day, by=by, entries=entries, may_edit_locked=True)
            if result.errors or result.conflicts:
                raise RuntimeError(f"Sheet of {session} on {day}: {result.errors or result.conflicts}")
            self.counts["sheets"] += 1
        self.stamps.stamp(self.moment(day, 17, self.rng.randrange(40)))

    def morning_reminders(self, day: datetime.date):
        """The next reminder of each story whose drift opened before `day`."""
        for index, story in enumerate(self.stories):
            if not story.attempts:
                continue
            drift = Drift.objects.live().filter(stage_id=story.stage.pk, reason=story.plan.reason).first()
            if drift is None or timezone.localtime(drift.opened_at).date() >= day:
                continue
            channel, outcome, comment = story.attempts.pop(0)
            by = self.trainer(story.stage.organisation_id)
            with set_actor(by):
                follow_up_record(drift=drift, by=by, channel=channel, outcome=outcome, comment=comment)
            self.stamps.stamp(self.moment(day, 9, 15 + 10 * index))

    def evening_rules(self, day: datetime.date, session_ids: list):
        """The evaluation enqueued by the day's saves, then the escalation job."""
        for session_id in session_ids:
            evaluate_session(session_id=session_id, today=day)
            self.counts["evaluations"] += 1
        self.stamps.stamp(self.moment(day, 17, 50))
        escalate(today=day)
        self.stamps.stamp(self.moment(day, 18, 5))
