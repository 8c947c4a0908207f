from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from accounts.access_log import register_view_labels
        from notifications.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from notifications import (
            checks,  # noqa: F401  (registers the deployment checks of where e-mails and SMS go)
            kinds,
            pathway_events,
            todos,
        )
        from notifications.models import Todo, TodoQuerySet
        from pathways import scoping
        from pathways.services.stages import register_transition_listener

        scoping.register(Todo, scope=TodoQuerySet.visible_to, person_path="stage__pathway__beneficiary")
        kinds.register(*pathway_events.KINDS, *todos.KINDS)

        from notifications import list_exports
        from pathways import exports

        exports.register(list_exports.TODOS)
        register_transition_listener(pathway_events.stage_transition_notify)

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from notifications import personal_data as declared_personal_data

        declared_personal_data.declare()
