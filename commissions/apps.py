from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions de bassin")

    def ready(self):
        from accounts.access_log import register_view_labels
        from commissions.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from commissions import models, notifications
        from notifications import kinds
        from pathways import scoping

        def scope(queryset, user):
            return queryset.visible_to(user) if scoping.active_memberships(user) else queryset.none()

        scoping.register(models.Commission, scope=scope)
        scoping.register(models.Meeting, scope=scope)
        kinds.register(*notifications.KINDS)

        from commissions.scorecard import register as register_scorecard

        register_scorecard()  # PROXIMITÉ on the dashboards' commitment scorecard

        # The menu shows "Commissions" to delegates: whether the user is one is read at login (and on the list).
        from django.contrib.auth.signals import user_logged_in

        from commissions.selectors import remember_delegation

        def on_login(sender, request, user, **kwargs):
            if request is not None:
                remember_delegation(request, user)

        user_logged_in.connect(on_login, weak=False, dispatch_uid="commissions_remember_delegation")

        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from commissions import personal_data as declared_personal_data

        declared_personal_data.declare()
