"""The checklist block of each stage taken in a session, on the pathway page (registered in `ChecklistConfig.ready`)."""

from checklist.services import filling_organisations
from checklist.summary import stage_checklists


def stage_checklist_panel(user, pathway, stages) -> dict:
    """{stage id: {"checklist", "can_fill"}} for the stages taken in a session whose checklist the user may see or
    fill: the training body's staff fill it while the stage is not over (two queries for all the stages)."""
    in_session = [stage for stage in stages if getattr(stage, "enrolment", None) is not None]
    checklists = stage_checklists(user, [stage.pk for stage in in_session])
    filling = filling_organisations(user)
    panels = {}
    for stage in in_session:
        can_fill = stage.is_active and stage.organisation_id in filling
        if stage.pk in checklists or can_fill:
            panels[stage.pk] = {"checklist": checklists.get(stage.pk), "can_fill": can_fill}
    return panels
