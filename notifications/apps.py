from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications.models import Todo
        from pathways import scoping

        # A to-do is its owner's only.
        scoping.register(
            Todo, scope=lambda queryset, user: queryset.filter(owner=user.pk if user.is_authenticated else None)
        )
