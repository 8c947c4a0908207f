"""The charter overview's export (`pathways.exports`, issue 21): the organisations of the page's region, basin and
tab, with where each stands with the charter; registered from `CharterConfig.ready()`. It names no person."""

from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport, local_date


def _rows(user, params):
    from charter.views.regional import overview_data

    return overview_data(user, params).rows


def _signature(attribute):
    def cell(row):
        return getattr(row.signature, attribute) if row.signature is not None else None

    return cell


OVERVIEW = ListExport(
    name="charte",
    title=_("Suivi de la charte"),
    view_name="charter:overview",
    rows=_rows,
    columns=[
        (_("Structure"), lambda row: row.name),
        (_("Type"), lambda row: row.kind_label),
        (_("Charte"), lambda row: str(row.standing.label)),
        (_("Version signée"), _signature("version_number")),
        (_("Signée le"), lambda row: local_date(_signature("signed_at")(row))),
        (_("Signature"), _signature("status_label")),
        (_("Valable jusqu'au"), _signature("valid_until")),
        (_("Alertes retenues"), lambda row: row.held_alerts),
        (_("Dernière relance"), lambda row: row.last_reminder),
    ],
)
