"""Declaring a rupture in a test: through the real service, so the alert and its notification rows are there."""

from django.utils import timezone

from ruptures.models import Rupture
from ruptures.services import rupture_declare


def declare(world, **overrides) -> Rupture:
    """An abandon of the world's stage, declared by its trainer today, with no reminder and the reason why; any
    argument of `rupture_declare` can be given instead (another stage, kind, cause, date…)."""
    kind = overrides.get("kind", Rupture.Kind.ABANDON)
    arguments = {
        "stage": world.stage,
        "by": world.user("trainer"),
        "kind": kind,
        "main_cause": "conditions.transport",
        "causes": [],
        "identified_by": Rupture.IdentifiedBy.TRAINER,
        "occurred_on": timezone.localdate(),
        "no_reminder_reason": "Injoignable." if kind == Rupture.Kind.ABANDON else "",
    }
    arguments.update(overrides)
    return rupture_declare(**arguments)
