"""The charter gate (seed 000: the network's partners commit by signing the charter). In a region that requires the
charter for named alerts (`Region.charter_required_for_alerts`), an alert addressed to an organisation without a
valid signature of its region's version in force is kept, not delivered ("en attente de signature"); the funder's
regional officers still receive it and see how many are held per organisation, so no person is left without a follow-up.
The held rows are released as soon as the organisation signs (`charter.services.charter_sign`), or by the beat
job when the region stops requiring the charter.

The alert services (`alerts.services.held_recipients`, through `alerts.registry.register_hold`) ask
`held_organisations` whether an alert's inbox organisation is held; the rows themselves are the notification
outbox's (`notifications.services.notify(held_for=...)`, `release_held`).
"""

import datetime

from django.db.models import Count

from charter.status import organisation_statuses
from notifications.models import Notification
from notifications.services import release_held
from pathways.models import Organisation


def held_organisations(organisation_ids, *, today: datetime.date | None = None) -> set[int]:
    """Those of `organisation_ids` whose alerts are held today."""
    requiring = list(
        Organisation.objects.filter(pk__in=list(organisation_ids), region__charter_required_for_alerts=True).only(
            "pk", "region_id"
        )
    )
    if not requiring:
        return set()
    return {pk for pk, standing in organisation_statuses(requiring, today=today).items() if not standing.valid}


def release(organisation_ids) -> int:
    """Deliver what was held for these organisations if they are no longer held; how many rows were released."""
    free = set(organisation_ids) - held_organisations(organisation_ids)
    return release_held(organisation_ids=free) if free else 0


def release_due() -> int:
    """Beat: release the rows of every organisation no longer held (it signed, or its region stopped requiring the
    charter); the signature itself releases at once, this catches the rest."""
    waiting = set(
        Notification.objects.filter(status=Notification.Status.HELD).values_list("held_for", flat=True).distinct()
    )
    return release(waiting) if waiting else 0


def held_alert_counts(organisation_ids) -> dict[int, int]:
    """{organisation id: number of alerts (causes) held for it}, for the regional officers' overview."""
    rows = (
        Notification.objects.filter(status=Notification.Status.HELD, held_for__in=list(organisation_ids))
        .values("held_for")
        .annotate(n=Count("cause_key", distinct=True))
    )
    return {row["held_for"]: row["n"] for row in rows}
