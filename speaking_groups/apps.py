from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakingGroupsConfig(AppConfig):
    name = "speaking_groups"
    verbose_name = _("Groupes de parole")

    def ready(self):
        from notifications import kinds
        from pathways import scoping
        from speaking_groups import models, notifications

        def scope(queryset, user):
            return queryset.visible_to(user) if scoping.active_memberships(user) else queryset.none()

        def person_of_stage(obj):
            return obj.stage.pathway.beneficiary if obj.stage_id else None

        for model in (models.SpeakingGroup, models.Workshop, models.DropInSlot, models.FeedbackItem):
            scoping.register(model, scope=scope)
        scoping.register(models.FeedbackReply, scope=scope)
        for model in (
            models.WorkshopAttendance,
            models.DropInBooking,
            models.HotlineCall,
            models.NetworkContact,
            models.ReferentShare,
        ):
            scoping.register(model, scope=scope, person=person_of_stage)
        scoping.register(models.PostRuptureCase, scope=scope, person=lambda case: case.person)
        scoping.register(models.CaseEntry, scope=scope, person=lambda entry: entry.case.person)
        # A group's facilitators see the people enrolled in its sessions (DESIGN.md §6: "participants of their
        # groups").
        scoping.register_pathway_source(models.pathways_of_groups, acting=models.support_reaching)
        kinds.register(*notifications.KINDS)
