from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API partenaires")

    def ready(self):
        from accounts.access_log import register_view_labels
        from api.access_log_labels import VIEW_LABELS

        register_view_labels(VIEW_LABELS)  # its pages in words, in the access log
        from api import schema  # noqa: F401 (the token's scheme in the OpenAPI schema)
        from api.models import ApiToken, ApiTokenQuerySet
        from pathways import scoping

        # The tokens are no person's data: an organisation's managers read and revoke their organisation's.
        scoping.register(ApiToken, scope=ApiTokenQuerySet.visible_to)
