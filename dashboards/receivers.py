"""The `post_save` / `post_delete` receivers that queue a refresh of the rollups (connected in
`DashboardsConfig.ready`; see `dashboards.queue` for the list of events and the writes no signal reports)."""

from django.db.models.signals import post_delete, post_save

from dashboards.queue import enqueue


def _direct(instance):
    return [instance.stage_id]


def _stage(instance):
    return [instance.pk]


def _stages_where(lookup: str, attribute: str):
    """The stages whose `lookup` equals the instance's `attribute` (e.g. the stages of a deleted stage's pathway)."""

    def stages(instance):
        from pathways.models import Stage

        return Stage.objects.filter(**{lookup: getattr(instance, attribute)}).values_list("pk", flat=True)

    return stages


def _stages_of(label: str, lookup: str, attribute: str, stage_field: str = "stage_id"):
    """The `stage_field` of the `label` rows whose `lookup` equals the instance's `attribute` (e.g. the stage of a
    follow-up attempt's drift)."""

    def stages(instance):
        from django.apps import apps

        model = apps.get_model(label)
        return model.objects.filter(**{lookup: getattr(instance, attribute)}).values_list(stage_field, flat=True)

    return stages


_pathway = _stages_where("pathway_id", "pk")
_stage_siblings = _stages_where("pathway_id", "pathway_id")  # a stage deleted: its chaining may change the others
_person = _stages_where("pathway__beneficiary_id", "pk")
_employer = _stages_where("employer_id", "pk")
_drift_stage = _stages_of("attendance.Drift", "pk", "drift_id")
_alert_stage = _stages_of("alerts.Alert", "pk", "alert_id")
_checklist_stage = _stages_of("checklist.Checklist", "pk", "checklist_id")
_workshop_stages = _stages_of("speaking_groups.WorkshopAttendance", "workshop_id", "pk")
_rupture_stage = _stages_of("ruptures.Rupture", "pk", "rupture_id")


# "app_label.Model": (stages on save, stages on delete or None)
SOURCES = {
    "pathways.Stage": (_stage, _stage_siblings),
    "pathways.Enrolment": (_direct, _direct),
    "pathways.Pathway": (_pathway, None),
    "pathways.Beneficiary": (_person, None),
    "pathways.Employer": (_employer, None),
    "attendance.Mark": (_direct, _direct),
    "attendance.FollowUpAttempt": (_drift_stage, _drift_stage),
    "ruptures.Rupture": (_direct, _direct),
    "alerts.Alert": (_direct, _direct),
    "alerts.AlertAction": (_alert_stage, None),
    "checklist.ChecklistRevision": (_checklist_stage, _checklist_stage),
    "speaking_groups.Workshop": (_workshop_stages, None),
    "speaking_groups.WorkshopAttendance": (_direct, _direct),
    "speaking_groups.DropInBooking": (_direct, _direct),
    "speaking_groups.PostRuptureCase": (_rupture_stage, _rupture_stage),
}


def _receiver(stages_of):
    def receive(sender, instance, raw=False, **kwargs):
        if raw:  # fixtures being loaded
            return
        enqueue(stages_of(instance))

    return receive


def connect() -> None:
    from django.apps import apps

    for label, (on_save, on_delete) in SOURCES.items():
        model = apps.get_model(label)
        post_save.connect(_receiver(on_save), sender=model, weak=False, dispatch_uid=f"dashboards-save-{label}")
        if on_delete is not None:
            post_delete.connect(
                _receiver(on_delete), sender=model, weak=False, dispatch_uid=f"dashboards-delete-{label}"
            )
