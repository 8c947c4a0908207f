"""The rupture of each stage on the pathway page, and the button to declare one (registered in
`RupturesConfig.ready`)."""

from ruptures.models import Rupture

DECLARABLE_STATUSES = ("in_progress", "suspended")


def stage_rupture_panel(user, pathway, stages) -> dict:
    """{stage id: {"rupture": its latest rupture or None, "can_declare"}} (one query for all the stages). A rupture
    is declared on a stage in progress or suspended that no rupture has ended (an interruption is a pause)."""
    latest = {}
    for rupture in Rupture.objects.filter(stage__in=[stage.pk for stage in stages]).select_related("alert"):
        latest.setdefault(rupture.stage_id, rupture)  # newest first (`Rupture.Meta.ordering`)
    panels = {}
    for stage in stages:
        rupture = latest.get(stage.pk)
        can_declare = stage.status in DECLARABLE_STATUSES and (
            rupture is None or rupture.kind == Rupture.Kind.INTERRUPTION
        )
        if rupture is not None or can_declare:
            panels[stage.pk] = {"rupture": rupture, "can_declare": can_declare}
    return panels
