"""The alert inbox's export (`pathways.exports`, issue 21): the inbox's own rows and columns, registered from
`AlertsConfig.ready()`. A funder's officer reads what the page shows them: the summary, never the free texts."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport


def _rows(user, params):
    from alerts.views import alert_rows

    return alert_rows(user, params)[0]


def _entries(alert):
    from alerts.views import alert_entries

    return alert_entries(alert)


ALERTS = ListExport(
    name="alertes",
    title=_("Alertes"),
    view_name="alerts:alert_list",
    rows=_rows,
    people=_entries,
    columns=[
        (_("Nom"), lambda a: a.stage.pathway.beneficiary.last_name),
        (_("Prénom"), lambda a: a.stage.pathway.beneficiary.first_name),
        (_("Objet"), lambda a: str(a.summary)),
        (_("Émise le"), lambda a: timezone.localtime(a.created_at)),
        (_("Émise par"), lambda a: a.raised_by.get_full_name() if a.raised_by else ""),
        (_("Organisme"), lambda a: a.stage.organisation.name),
        (_("Statut"), lambda a: a.get_status_display()),
    ],
)
