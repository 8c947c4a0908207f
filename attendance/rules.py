"""Absence rules: who is drifting, and why. Pure functions over one stage's marks, called by the evaluation service.

- K consecutive unjustified half-days (the latest run of marks);
- an attendance rate under R % over the last W days (attended / (attended + unjustified), justified and excused
  half-days being neutral), once at least `MIN_MARKS_FOR_RATE` half-days are marked in the window;
- no-show at the first day: every held half-day of the stage's first training day marked unjustified absent.

Half-days that are cancelled, or that fall in a company period for the person, are skipped by every rule.
"""

import datetime
from dataclasses import dataclass, fields

from django.conf import settings
from django.utils.translation import gettext as _

from attendance.models import AbsenceRules, Drift, Mark

MIN_MARKS_FOR_RATE = 4


@dataclass(frozen=True)
class Rules:
    consecutive_unjustified: int
    min_attendance_rate: int
    window_days: int
    no_show_first_day: bool
    reminders_before_presumed: int
    drift_working_days: int
    presumed_escalation_working_days: int

    @classmethod
    def resolve(cls, *layers: AbsenceRules | None) -> "Rules":
        """The first value set among `layers` (most specific first), else the default setting."""
        values = {}
        for field in fields(cls):
            value = next(
                (getattr(layer, field.name) for layer in layers if layer and getattr(layer, field.name) is not None),
                settings.ATTENDANCE_DEFAULT_RULES[field.name],
            )
            values[field.name] = value
        return cls(**values)


@dataclass(frozen=True)
class Finding:
    reason: str
    detail: dict
    risk: int


@dataclass(frozen=True)
class MarkPoint:
    """A marked half-day of one person, in calendar order (skipped half-days already left out)."""

    date: datetime.date
    period: str
    status: str
    hours: float


def findings(points: list[MarkPoint], rules: Rules, today: datetime.date, first_day: datetime.date | None):
    """What the rules find in one person's marks (`points` sorted by date and period)."""
    found = []
    # K consecutive unjustified half-days, counted back from the latest mark.
    run = 0
    for point in reversed(points):
        if point.status != Mark.Status.ABSENT_UNJUSTIFIED:
            break
        run += 1
    if rules.consecutive_unjustified and run >= rules.consecutive_unjustified:
        found.append(Finding(Drift.Reason.CONSECUTIVE, {"count": run}, risk=min(100, 20 + 10 * run)))

    # Attendance rate over the window.
    since = today - datetime.timedelta(days=rules.window_days)
    window = [p for p in points if since < p.date <= today and p.status not in (Mark.Status.EXCUSED,)]
    counted = [p for p in window if p.status in (*Mark.ATTENDED, Mark.Status.ABSENT_UNJUSTIFIED)]
    if len(counted) >= MIN_MARKS_FOR_RATE:
        attended = sum(p.hours for p in counted if p.status in Mark.ATTENDED)
        total = sum(p.hours for p in counted)
        rate = round(100 * attended / total) if total else 100
        if rate < rules.min_attendance_rate:
            found.append(
                Finding(
                    Drift.Reason.LOW_RATE,
                    {"rate": rate, "days": rules.window_days, "threshold": rules.min_attendance_rate},
                    risk=min(100, 10 + (rules.min_attendance_rate - rate)),
                )
            )

    # No-show at the first day.
    if rules.no_show_first_day and first_day is not None:
        first = [p for p in points if p.date == first_day]
        if first and all(p.status == Mark.Status.ABSENT_UNJUSTIFIED for p in first):
            found.append(Finding(Drift.Reason.NO_SHOW, {"date": first_day.isoformat()}, risk=60))
    return found


def explain(drift: Drift) -> str:
    """Why this person is on the watch list, in the reader's language."""
    detail = drift.detail or {}
    if drift.reason == Drift.Reason.CONSECUTIVE:
        return _("%(n)s demi-journées consécutives non justifiées") % {"n": detail.get("count", "?")}
    if drift.reason == Drift.Reason.LOW_RATE:
        return _("assiduité %(rate)s %% sur %(days)s jours (seuil %(threshold)s %%)") % {
            "rate": detail.get("rate", "?"),
            "days": detail.get("days", "?"),
            "threshold": detail.get("threshold", "?"),
        }
    if drift.reason == Drift.Reason.NO_SHOW:
        return _("absent·e au démarrage")
    if drift.reason == Drift.Reason.SIGNAL:
        return _("signalé par la personne elle-même")
    return drift.get_reason_display()
