from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et traçabilité")

    def ready(self):
        # Where this app keeps a person's data (right of access, retention and anonymisation).
        from accounts import personal_data as declared_personal_data

        declared_personal_data.declare()
