from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et traçabilité")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import activity_at_login

        user_logged_in.connect(activity_at_login, dispatch_uid="accounts.activity_at_login")
