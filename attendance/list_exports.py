"""The watch list's and presumed ruptures' exports (`pathways.exports`, issue 21): the pages' own drifts, registered
from `AttendanceConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport, local_date


def _watch_rows(user, params):
    from attendance.views.drifts import watch_rows

    return watch_rows(user, params)


def _presumed_rows(user, params):
    from attendance.views.drifts import presumed_rows

    return presumed_rows(user, params)


def _entries(drift):
    from attendance.views.drifts import drift_entries

    return drift_entries(drift)


COLUMNS = [
    (_("Nom"), lambda d: d.stage.pathway.beneficiary.last_name),
    (_("Prénom"), lambda d: d.stage.pathway.beneficiary.first_name),
    (_("Session"), lambda d: d.stage.enrolment.session.training_action.title),
    (_("Pourquoi"), lambda d: str(d.explanation)),
    (_("Depuis"), lambda d: local_date(d.opened_at)),
    (_("Relances"), lambda d: d.attempt_count),
    (_("Dernière relance"), lambda d: local_date(d.last_attempt)),
    (_("Statut"), lambda d: d.get_status_display()),
]

WATCH, PRESUMED = (
    ListExport(name=name, title=title, view_name=view_name, rows=rows, people=_entries, columns=COLUMNS)
    for name, title, view_name, rows in (
        ("veille", _("Veille"), "attendance:watch_list", _watch_rows),
        ("ruptures-presumees", _("Ruptures présumées"), "attendance:presumed_list", _presumed_rows),
    )
)
