from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakingGroupsConfig(AppConfig):
    name = "speaking_groups"
    verbose_name = _("Groupes de parole")

    def ready(self):
        from accounts.access_log import register_view_labels
        from speaking_groups.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
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
            scoping.register(model, scope=scope, person=person_of_stage, person_path="stage__pathway__beneficiary")
        scoping.register(
            models.PostRuptureCase,
            scope=scope,
            person=lambda case: case.person,
            person_path="rupture__stage__pathway__beneficiary",
        )
        scoping.register(
            models.CaseEntry,
            scope=scope,
            person=lambda entry: entry.case.person,
            person_path="case__rupture__stage__pathway__beneficiary",
        )
        # A group's facilitators see the people enrolled in its sessions (docs/design.md §6: "participants of their
        # groups").
        scoping.register_pathway_source(
            models.pathways_of_groups,
            acting=models.support_reaching,
            reaching=models.supports_reaching,
            followed=models.pathways_followed_by_supports,
        )

        # The figures' splits (ruptures.rates defines the rate and re-engagement; this module, who took part).
        from ruptures.rates import register_split
        from speaking_groups import stats

        register_split("speaking_group_participant", stats.participated)
        register_split("with_post_rupture_case", stats.has_post_rupture_case)

        kinds.register(*notifications.KINDS)

        # cases: a facilitator declares a rupture through their support structure; the declaration's switch "the
        # person asked for help" opens a post-rupture case in the same transaction.
        from ruptures import declarers
        from speaking_groups.services import cases

        declarers.register_declarer(cases.facilitator_structure)
        declarers.register_addon(cases.declaration_addon)
        from pathways.panels import StagePanel, register_stage_panel
        from speaking_groups import panels

        register_stage_panel(
            StagePanel(
                name="post_rupture_case",
                load=panels.stage_case_panel,
                templates={"body": "speaking_groups/cases/stage_panel.html"},
                order=31,
            )
        )

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from speaking_groups import personal_data as declared_personal_data

        declared_personal_data.declare()
