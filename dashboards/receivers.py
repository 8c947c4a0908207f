"""The `post_save` / `post_delete` receivers that queue a refresh of the rollups (connected in
`DashboardsConfig.ready`; see `dashboards.queue` for the list of events and the writes no signal reports)."""

from django.db.models.signals import post_delete, post_save

from dashboards.queue import enqueue


def _direct(instance):
    return [instance.stage_id]


def _stage(instance):
    return [instance.pk]


def _pathway(instance):
    from pathways.models import Stage

    return Stage.objects.filter(pathway_id=instance.pk).values_list("pk", flat=True)


def _stage_siblings(instance):
    """A stage deleted: the other stages of its pathway (its chaining may have changed them)."""
    from pathways.models import Stage

    return Stage.objects.filter(pathway_id=instance.pathway_id).values_list("pk", flat=True)


def _person(instance):
    from pathways.models import Stage

    return Stage.objects.filter(pathway__beneficiary_id=instance.pk).values_list("pk", flat=True)


def _employer(instance):
    from pathways.models import Stage

    return Stage.objects.filter(employer_id=instance.pk).values_list("pk", flat=True)


def _drift_stage(instance):
    from attendance.models import Drift

    return Drift.objects.filter(pk=instance.drift_id).values_list("stage_id", flat=True)


def _alert_stage(instance):
    from alerts.models import Alert

    return Alert.objects.filter(pk=instance.alert_id).values_list("stage_id", flat=True)


def _checklist_stage(instance):
    from checklist.models import Checklist

    return Checklist.objects.filter(pk=instance.checklist_id).values_list("stage_id", flat=True)


def _workshop_stages(instance):
    from speaking_groups.models import WorkshopAttendance

    return WorkshopAttendance.objects.filter(workshop_id=instance.pk).values_list("stage_id", flat=True)


def _rupture_stage(instance):
    from ruptures.models import Rupture

    return Rupture.objects.filter(pk=instance.rupture_id).values_list("stage_id", flat=True)


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
