"""The post-rupture case on the pathway page (registered in `SpeakingGroupsConfig.ready`). NEUTRALITÉ: only the
pathway's referent (the outcome) and the case's structure's facilitators (a link) learn that a case exists; a
declarer without a case sees the button to ask for one. Never a note nor an entry."""

from pathways import scoping
from ruptures.models import Rupture
from speaking_groups.models import PostRuptureCase, support_organisations


def stage_case_panel(user, pathway, stages) -> dict:
    """{stage id: {"rupture", "case" (for its readers), "show_outcome", "can_read", "can_ask"}}, in three queries."""
    ids = [stage.pk for stage in stages]
    ruptures = {}
    for rupture in (
        Rupture.objects.filter(stage__in=ids)
        .exclude(kind=Rupture.Kind.INTERRUPTION)
        .only("pk", "stage_id", "declared_by_id", "occurred_on")
    ):
        ruptures.setdefault(rupture.stage_id, rupture)
    if not ruptures:
        return {}
    cases = {
        case.rupture_id: case
        for case in PostRuptureCase.objects.filter(rupture__in=[r.pk for r in ruptures.values()]).only(
            "pk", "rupture_id", "support_organisation_id", "outcome", "outcome_on"
        )
    }
    supported = set(structures_on_stage_ids(list(ruptures)))
    mine = support_organisations(user)
    referent = pathway.referent_id == user.pk
    panels = {}
    for stage in stages:
        rupture = ruptures.get(stage.pk)
        if rupture is None:
            continue
        case = cases.get(rupture.pk)
        can_read = case is not None and case.support_organisation_id in mine
        can_ask = (
            case is None
            and stage.pk in supported
            and (rupture.declared_by_id == user.pk or scoping.can_transition_stage(user, stage) or bool(mine))
        )
        if can_read or can_ask or (case is not None and referent):
            panels[stage.pk] = {
                "rupture": rupture,
                "case": case,
                "show_outcome": case is not None and (referent or can_read),
                "can_read": can_read,
                "can_ask": can_ask,
            }
    return panels


def structures_on_stage_ids(stage_ids) -> list[int]:
    """Of `stage_ids`, those on a session where a support structure runs a group (one query)."""
    from pathways.models import Stage

    return list(
        Stage.objects.filter(pk__in=stage_ids, enrolment__session__speaking_groups__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
