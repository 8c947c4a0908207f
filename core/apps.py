from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Floor 0 (docs/design.md §8): shared infrastructure with no domain. It imports no other app of the project."""

    name = "core"
    verbose_name = _("Socle technique")

    def ready(self):
        from django.db.backends.signals import connection_created

        from core.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="core.search")
