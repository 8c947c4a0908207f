from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Floor 0 (docs/design.md §8): shared infrastructure with no domain. It imports no other app of the project."""

    name = "core"
    verbose_name = _("Socle technique")
