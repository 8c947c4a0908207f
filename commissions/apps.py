from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions de bassin")

    def ready(self):
        from commissions import models, notifications
        from notifications import kinds
        from pathways import scoping

        def scope(queryset, user):
            return queryset.visible_to(user) if scoping.active_memberships(user) else queryset.none()

        scoping.register(models.Commission, scope=scope)
        scoping.register(models.Meeting, scope=scope)
        kinds.register(*notifications.KINDS)
