"""The watch list's and presumed ruptures' exports (`pathways.exports`, issue 21): the pages' own drifts, registered
from `AttendanceConfig.ready()`."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport


def _watch_rows(user, params):
    from attendance.views.drifts import watch_rows

    return watch_rows(user, params)


def _presumed_rows(user, params):
    from attendance.views.drifts import presumed_rows

    return presumed_rows(user, params)


def _entries(drift):
    from attendance.views.drifts import drift_entries

    return drift_entries(drift)


def _date(moment):
    return timezone.localtime(moment).date() if moment else None


COLUMNS = [
    (_("Nom"), lambda d: d.stage.pathway.beneficiary.last_name),
    (_("Prénom"), lambda d: d.stage.pathway.beneficiary.first_name),
    (_("Session"), lambda d: d.stage.enrolment.session.training_action.title),
    (_("Pourquoi"), lambda d: str(d.explanation)),
    (_("Depuis"), lambda d: _date(d.opened_at)),
    (_("Relances"), lambda d: d.attempt_count),
    (_("Dernière relance"), lambda d: _date(d.last_attempt)),
    (_("Statut"), lambda d: d.get_status_display()),
]

WATCH = ListExport(
    name="veille",
    title=_("Veille"),
    view_name="attendance:watch_list",
    rows=_watch_rows,
    people=_entries,
    columns=COLUMNS,
)
PRESUMED = ListExport(
    name="ruptures-presumees",
    title=_("Ruptures présumées"),
    view_name="attendance:presumed_list",
    rows=_presumed_rows,
    people=_entries,
    columns=COLUMNS,
)
