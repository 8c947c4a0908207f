"""Post-rupture cases (seed 000's post-rupture intervention): a support structure's facilitators look for a solution
after a declared rupture and tell the pathway's referent the outcome, never their notes.

A case opens from a declared rupture: a facilitator opens it, any declarer asks for it, or the declaration's switch
"la personne a demandé de l'aide" opens it in the declaration's own transaction (`declaration_addon`, registered with
`ruptures.declarers`). News at 3 and 6 months after the rupture are asked through the facilitators' to-dos."""

import datetime

from dateutil.relativedelta import relativedelta
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Notification
from notifications.services import notify
from notifications.todos import todo_set
from pathways import scoping
from pathways.models import Membership, Organisation, Stage
from ruptures.declarers import DeclarationAddOn
from ruptures.models import Rupture
from speaking_groups.models import CaseEntry, PostRuptureCase, support_organisations
from speaking_groups.notifications import CASE_OUTCOME

NEWS_MONTHS = (3, 6)


# --------------------------------------------------------------------------------------------------------------
# Which structure supports the person of a stage


def structures_on_stage(stage: Stage):
    """The support structures running a group on the session of `stage` (none for a stage outside a session)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.SUPPORT, speaking_groups__sessions__enrolments__stage=stage
    ).distinct()


def facilitator_structure(user, stage: Stage) -> Organisation | None:
    """The support structure through which `user`, as its facilitator, reaches `stage`: one of theirs running a group
    on the stage's session, or None (registered with `ruptures.declarers`: who may declare a rupture on a stage)."""
    orgs = support_organisations(user)
    if not orgs:
        return None
    return structures_on_stage(stage).filter(pk__in=orgs).order_by("pk").first()


def may_ask_for_case(user, rupture: Rupture) -> bool:
    """Any declarer may ask for a case: its declarer, whoever records the stage's life, a facilitator of a structure
    running a group on its session."""
    return (
        rupture.declared_by_id == user.pk
        or scoping.can_transition_stage(user, rupture.stage)
        or facilitator_structure(user, rupture.stage) is not None
    )


# --------------------------------------------------------------------------------------------------------------
# Opening


@transaction.atomic
def case_open(*, rupture: Rupture, by, requested_by_person: bool = False) -> PostRuptureCase:
    """Open the case of `rupture` with the support structure running a group on its stage's session (the opener's
    own when they are its facilitator), and ask its news at 3 and 6 months in the facilitators' to-dos."""
    Rupture.objects.select_for_update().filter(pk=rupture.pk).first()  # one case per rupture, even when raced
    if PostRuptureCase.objects.filter(rupture=rupture).exists():
        raise ValidationError(_("Une intervention post-rupture est déjà ouverte pour cette rupture."))
    structure = facilitator_structure(by, rupture.stage) or structures_on_stage(rupture.stage).order_by("pk").first()
    if structure is None:
        raise ValidationError(
            _("Aucune structure d'accompagnement n'anime de groupe de parole sur la session de cette personne.")
        )
    case = PostRuptureCase(
        rupture=rupture, support_organisation=structure, requested_by_person=requested_by_person, opened_by=by
    )
    case.full_clean(exclude=["rupture", "support_organisation", "opened_by", "outcome_by"])
    case.save()
    _news_todos(case, rupture=rupture, by=by)
    return case


def news_due_dates(rupture: Rupture) -> list[tuple[int, datetime.date]]:
    return [(months, rupture.occurred_on + relativedelta(months=months)) for months in NEWS_MONTHS]


def _news_todos(case: PostRuptureCase, *, rupture: Rupture, by) -> None:
    """News at 3 and 6 months after the rupture, for the opener when they are one of the structure's facilitators,
    else for each of its active facilitators. The title and context say no name, no cause and no note."""
    if case.support_organisation_id in support_organisations(by):
        owners = [by]
    else:
        owners = [
            m.user
            for m in Membership.objects.active()
            .filter(organisation=case.support_organisation, role=Membership.Role.FACILITATOR)
            .select_related("user")
            .order_by("pk")
        ]
    for months, due_on in news_due_dates(rupture):
        for owner in owners:
            todo_set(
                source_key=f"speaking_groups:case:{case.pk}:news:{months}:{owner.pk}",
                owner=owner,
                title=_("Prendre des nouvelles %(months)s mois après la rupture (intervention n° %(pk)s)")
                % {"months": months, "pk": case.pk},
                context=_("Intervention post-rupture"),
                due_on=due_on,
                by=by,
                url=case.get_absolute_url(),
                stage=rupture.stage,
            )


# --------------------------------------------------------------------------------------------------------------
# The declaration's switch (registered with `ruptures.declarers` in `SpeakingGroupsConfig.ready`)


def _declaration_fields(stage: Stage) -> dict:
    if not structures_on_stage(stage).exists():
        return {}
    return {
        "asked_for_help": forms.BooleanField(
            label=gettext_lazy("La personne a demandé de l'aide"),
            required=False,
            help_text=gettext_lazy(
                "Ouvre une intervention post-rupture auprès de la structure d'accompagnement du groupe de parole."
            ),
        )
    }


def _after_declaration(*, rupture: Rupture, by, data: dict) -> None:
    if data.get("asked_for_help"):
        case_open(rupture=rupture, by=by, requested_by_person=True)


declaration_addon = DeclarationAddOn(code="post_rupture_case", fields=_declaration_fields, after=_after_declaration)


# --------------------------------------------------------------------------------------------------------------
# The solution search and the outcome


@transaction.atomic
def case_entry_add(*, case: PostRuptureCase, by, kind: str, on: datetime.date, text: str) -> CaseEntry:
    if on and on > timezone.localdate():
        raise ValidationError({"on": _("Une étape de la recherche ne peut pas être datée dans le futur.")})
    entry = CaseEntry(case=case, kind=kind, on=on, text=(text or "").strip(), by=by)
    entry.full_clean(exclude=["case", "by"])
    entry.save()
    return entry


@transaction.atomic
def case_outcome_record(*, case: PostRuptureCase, by, outcome: str, outcome_on: datetime.date | None):
    """Record the case's outcome with its date, and tell the pathway's referent (the person and the outcome, never
    the notes; the e-mail only says there is something to see)."""
    case = (
        PostRuptureCase.objects.select_for_update()
        .select_related("rupture__stage__pathway__beneficiary", "rupture__stage__pathway__referent")
        .get(pk=case.pk)
    )
    errors = {}
    if outcome not in PostRuptureCase.Outcome.values:
        errors["outcome"] = _("Choisissez l'issue de l'intervention.")
    if outcome_on is None:
        errors["outcome_on"] = _("Une issue se date : indiquez sa date.")
    elif outcome_on > timezone.localdate():
        errors["outcome_on"] = _("La date de l'issue ne peut pas être dans le futur.")
    elif outcome_on < case.rupture.occurred_on:
        errors["outcome_on"] = _("La date de l'issue ne peut pas précéder la rupture (%(date)s).") % {
            "date": case.rupture.occurred_on.strftime("%d/%m/%Y")
        }
    if errors:
        raise ValidationError(errors)
    case.outcome, case.outcome_on, case.outcome_by = outcome, outcome_on, by
    case.full_clean(exclude=["rupture", "support_organisation", "opened_by", "outcome_by"])
    case.save(update_fields=["outcome", "outcome_on", "outcome_by"])
    stage = case.rupture.stage
    pathway = stage.pathway
    if pathway.referent_id:
        notify(
            recipients=[pathway.referent],
            kind=CASE_OUTCOME,
            stage=stage,
            cause_key=f"post_rupture_case:{case.pk}:outcome:{outcome}:{outcome_on.isoformat()}",
            url=stage.get_absolute_url(),
            params={"person": pathway.beneficiary.full_name, "outcome": outcome, "date": outcome_on.isoformat()},
            channels=[Notification.Channel.IN_APP, Notification.Channel.EMAIL],
        )
    return case
