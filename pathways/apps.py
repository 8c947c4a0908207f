from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = _("Parcours")

    def ready(self):
        from auditlog.registry import auditlog

        from pathways.models import Beneficiary, Pathway, Stage

        # Every create/change of a person, a pathway or a stage is recorded (who, when, what changed).
        auditlog.register(Beneficiary, exclude_fields=["name_key"])
        auditlog.register(Pathway)
        auditlog.register(Stage)
