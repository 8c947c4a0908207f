"""The exports of pathways' lists (people, pathways, sessions): their columns, registered in `pathways.exports` from
`PathwaysConfig.ready()`. The rows come from the same functions as the pages."""

from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport, local_date


def _people_rows(user, params):
    from pathways.views.people import people_filter

    return people_filter(user, params).qs


def _people_entries(person):
    from pathways.views.people import person_entries

    return person_entries(person)


def _latest_pathway(person):
    return person.pathway_list[0] if person.pathway_list else None


def _pathway_rows(user, params):
    from pathways.views.pathway import pathway_filter

    return pathway_filter(user, params).qs


def _pathway_entries(pathway):
    from pathways.views.pathway import pathway_entries

    return pathway_entries(pathway)


def _session_rows(user, params):
    from pathways.views.sessions import session_filter

    return session_filter(user, params).qs


PEOPLE = ListExport(
    name="personnes",
    title=_("Personnes"),
    view_name="pathways:beneficiary_list",
    rows=_people_rows,
    people=_people_entries,
    columns=[
        (_("Nom"), lambda p: p.last_name),
        (_("Prénom"), lambda p: p.first_name),
        (_("Date de naissance"), lambda p: p.birth_date),
        (_("E-mail"), lambda p: p.email),
        (_("Téléphone"), lambda p: p.phone),
        (_("Commune"), lambda p: p.commune.name if p.commune else ""),
        (_("Parcours"), lambda p: (pathway := _latest_pathway(p)) and pathway.get_status_display()),
        (_("Référent·e"), lambda p: (pathway := _latest_pathway(p)) and pathway.referent.get_full_name()),
    ],
)

PATHWAYS = ListExport(
    name="parcours",
    title=_("Parcours"),
    view_name="pathways:pathway_list",
    rows=_pathway_rows,
    people=_pathway_entries,
    columns=[
        (_("Nom"), lambda p: p.beneficiary.last_name),
        (_("Prénom"), lambda p: p.beneficiary.first_name),
        (_("Étape actuelle"), lambda p: p.current_stage_label),
        (_("Référent·e"), lambda p: p.referent.get_full_name()),
        (_("Prescripteur"), lambda p: p.prescribing_organisation.name if p.prescribing_organisation else ""),
        (_("Conseiller·ère"), lambda p: p.prescribing_adviser.get_full_name() if p.prescribing_adviser else ""),
        (_("Ouvert par"), lambda p: p.opened_by.name),
        (_("Ouvert le"), lambda p: local_date(p.opened_at)),
        (_("Statut"), lambda p: p.get_status_display()),
    ],
)

SESSIONS = ListExport(
    name="sessions",
    title=_("Sessions"),
    view_name="pathways:session_list",
    rows=_session_rows,
    columns=[
        (_("Action de formation"), lambda s: s.training_action.title),
        (_("Session"), lambda s: s.label),
        (_("Organisme"), lambda s: s.training_action.training_body.name),
        (_("Bassin"), lambda s: s.training_action.basin.name),
        (_("Début"), lambda s: s.start_date),
        (_("Fin"), lambda s: s.end_date),
        (_("Inscrit·es"), lambda s: s.enrolled_count),
        (_("Places"), lambda s: s.capacity),
    ],
)


def register_all():
    from pathways import exports

    exports.register(PEOPLE, PATHWAYS, SESSIONS)
