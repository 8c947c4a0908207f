from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models import Q

        from notifications import kinds, pathway_events, todos
        from notifications.models import Todo
        from pathways import scoping
        from pathways.models import Stage
        from pathways.services.stages import register_transition_listener

        def todos_for_user(queryset, user):
            """A to-do is its owner's, and only while their active memberships let them see the person it is about
            (deactivation ends it at once)."""
            if not scoping.active_memberships(user):
                return queryset.none()
            visible = scoping.stages_for_user(Stage.objects.all(), user).values("pk")
            return queryset.filter(owner=user).filter(Q(stage__isnull=True) | Q(stage__in=visible))

        scoping.register(Todo, scope=todos_for_user)
        kinds.register(*pathway_events.KINDS, *todos.KINDS)
        register_transition_listener(pathway_events.stage_transition_notify)
