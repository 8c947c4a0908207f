from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et traçabilité")

    def ready(self):
        from accounts import twofactor  # noqa: F401  (remembers the second-factor state of a session at login)
