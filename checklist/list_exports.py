"""The checklist list's export (`pathways.exports`, issue 21): the entrants of the page, filtered like it, with where
their checklist stands; registered from `ChecklistConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport, local_date


def _rows(user, params):
    from checklist import selectors
    from checklist.views import checklist_filters

    _form, filters = checklist_filters(params)
    return selectors.entrant_rows(user, state=filters.get("etat", ""), q=filters.get("q", ""))


def _row(stage):
    from checklist import selectors

    return selectors.row(stage)


def _state(stage):
    row = _row(stage)
    if row.submitted_at:
        return _("Transmise")
    if row.started:
        return _("En cours de saisie")
    return _("Non commencée")


CHECKLISTS = ListExport(
    name="check-lists",
    title=_("Check-lists"),
    view_name="checklist:list",
    rows=_rows,
    people=lambda stage: [(stage.pathway.beneficiary_id, (stage.organisation_id,))],
    columns=[
        (_("Nom"), lambda stage: stage.pathway.beneficiary.last_name),
        (_("Prénom"), lambda stage: stage.pathway.beneficiary.first_name),
        (_("Session"), lambda stage: stage.enrolment.session.training_action.title),
        (_("Démarrage prévu"), lambda stage: stage.planned_start),
        (_("Démarrage effectif"), lambda stage: stage.actual_start),
        (_("Check-list"), lambda stage: str(_state(stage))),
        (_("Transmise le"), lambda stage: local_date(_row(stage).submitted_at)),
        (_("Points à risque"), lambda stage: _row(stage).risk_count),
    ],
)
