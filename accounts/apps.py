from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et traçabilité")

    def ready(self):
        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from accounts import personal_data as declared_personal_data

        declared_personal_data.declare()

        from accounts.access_log import register_view_labels

        # Its own entries of the access log, in words (the other apps register their pages' labels likewise).
        register_view_labels({"accounts.retention.erase": _("Anonymisation de la personne")})

        from auditlog.registry import auditlog

        from accounts.models import NoticeHandover, SharingObjection

        # The rights of the person are evidence: who handed the notice over, who recorded or withdrew an objection.
        # An objection's reason may be sensitive: kept in one place only (the row, covered by retention).
        auditlog.register(NoticeHandover)
        auditlog.register(SharingObjection, exclude_fields=["reason"])

        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import activity_at_login

        user_logged_in.connect(activity_at_login, dispatch_uid="accounts.activity_at_login")

        from accounts import (
            checks,  # noqa: F401  (registers the deployment checks of the legal settings)
            twofactor,  # noqa: F401  (remembers the second-factor state of a session at login)
        )
