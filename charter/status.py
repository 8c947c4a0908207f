"""An organisation's charter status, derived from its signatures and their events and from the version in force in
its region: the badge shown beside its name in every page and list, the pages built by `charter.selectors` (the
overview of regional staff, the public signatories) and the alert gate all read it from here.

`organisation_statuses` answers for many organisations in a constant number of queries (the versions in force of
their regions, the signatures with their events), so a list of organisations never costs a query per row.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.models import CharterVersion, Signature
from pathways.models import Organisation


class OrganisationStatus(models.TextChoices):
    SIGNED = "signed", _("Charte signée")
    TO_RENEW = "to_renew", _("Charte à renouveler")
    NOT_SIGNED = "not_signed", _("Charte non signée")
    WITHDRAWN = "withdrawn", _("Signature retirée")


@dataclass
class CharterStanding:
    """Where an organisation stands with the charter today."""

    status: str
    signature: Signature | None  # the signature the status comes from (None: never signed)
    valid: bool  # commits the organisation today (signed, or to renew within its grace period)

    @property
    def label(self) -> str:
        return OrganisationStatus(self.status).label

    @property
    def valid_until(self) -> datetime.date | None:
        return self.signature.valid_until if self.signature is not None else None

    @property
    def pending_validation(self) -> bool:
        return self.signature is not None and self.signature.status == Signature.Status.PENDING


def standing_of(signatures: list[Signature], current: CharterVersion | None, today: datetime.date) -> CharterStanding:
    """The standing given an organisation's signatures (with their events), newest version first."""
    on_current = next((s for s in signatures if current is not None and s.version_id == current.pk), None)
    if on_current is not None:
        status = on_current.status
        if status in (Signature.Status.PENDING, Signature.Status.VALIDATED):
            return CharterStanding(OrganisationStatus.SIGNED, on_current, True)
        if status == Signature.Status.WITHDRAWN:
            return CharterStanding(OrganisationStatus.WITHDRAWN, on_current, False)
    older = next((s for s in signatures if s is not on_current), None)
    if older is not None:
        status = older.status
        if status == Signature.Status.TO_RENEW:
            return CharterStanding(OrganisationStatus.TO_RENEW, older, older.is_valid(today))
        if status == Signature.Status.WITHDRAWN:
            return CharterStanding(OrganisationStatus.WITHDRAWN, older, False)
    # Never signed, or the last signature was refused.
    return CharterStanding(OrganisationStatus.NOT_SIGNED, on_current or older, False)


def organisation_statuses(organisations, *, today: datetime.date | None = None) -> dict[int, CharterStanding]:
    """{organisation id: standing} for `organisations` (objects, or ids at the cost of one more query): each
    against the version in force in its own region; in three queries."""
    today = today or timezone.localdate()
    region_of = {}
    ids = set()
    for org in organisations:
        if isinstance(org, Organisation):
            region_of[org.pk] = org.region_id
        ids.add(getattr(org, "pk", org))
    if ids - region_of.keys():
        region_of.update(Organisation.objects.filter(pk__in=ids - region_of.keys()).values_list("pk", "region_id"))
    current = CharterVersion.objects.current_by_region(set(region_of.values())) if ids else {}
    by_organisation: dict[int, list[Signature]] = {pk: [] for pk in ids}
    if ids:
        signatures = (
            Signature.objects.filter(organisation__in=ids)
            .select_related("version")
            .prefetch_related("events")
            .order_by("organisation", "-version__number")
        )
        for signature in signatures:
            by_organisation[signature.organisation_id].append(signature)
    return {
        pk: standing_of(sigs, current.get(region_of.get(pk)), today)
        for pk, sigs in by_organisation.items()
        if pk in region_of
    }


def attach_statuses(organisations, *, today: datetime.date | None = None):
    """Set `charter` (a CharterStanding) on each organisation object, for the badge; returns them."""
    organisations = [org for org in organisations if org is not None]
    statuses = organisation_statuses(organisations, today=today)
    for org in organisations:
        org.charter = statuses[org.pk]
    return organisations
