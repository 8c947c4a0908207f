"""The staff of the largest organisations of a generated region (`manage.py generate_scale`), and the pages they
open most: shared by the `staff_lists` benchmark and the query-count tests at two data sizes."""

from django.db.models import Count
from django.urls import reverse

from pathways.models import Membership, Organisation, Pathway, Region, Stage

Role = Membership.Role

PAGES = {
    "alerts inbox": "alerts:alert_list",
    "people": "pathways:beneficiary_list",
    "pathways": "pathways:pathway_list",
    "home": "pathways:home",
}


def page_urls() -> dict[str, str]:
    return {name: reverse(route) for name, route in PAGES.items()}


def _member(organisation, role, *, busiest=None):
    memberships = Membership.objects.filter(organisation=organisation, role=role, is_active=True).select_related("user")
    if busiest is not None:
        memberships = memberships.annotate(load=busiest).order_by("-load", "pk")
    else:
        memberships = memberships.order_by("pk")
    membership = memberships.first()
    return membership.user if membership else None


def staff_of_largest(region: Region) -> dict[str, object]:
    """A trainer, a pedagogical manager and the manager of the training body with the most stages; the adviser with
    the most pathways and the manager of the prescriber with the most pathways; a regional officer of the region's
    scheme organisation. Keys name the role; a role the region lacks is left out."""
    body = (
        Organisation.objects.filter(region=region, kind=Organisation.Kind.TRAINING_BODY)
        .annotate(n=Count("stages"))
        .order_by("-n", "pk")
        .first()
    )
    prescriber_id = (
        Pathway.objects.filter(prescribing_organisation__region=region)
        .values("prescribing_organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "prescribing_organisation")
        .values_list("prescribing_organisation", flat=True)
        .first()
    )
    staff = {
        "trainer": _member(body, Role.TRAINER, busiest=Count("user__trained_sessions")),
        "pedagogical manager": _member(body, Role.PEDAGOGICAL_MANAGER),
        "training body manager": _member(body, Role.ORG_MANAGER),
        "adviser": _member(prescriber_id, Role.PRESCRIBER_ADVISER, busiest=Count("user__prescribed_pathways")),
        "prescriber manager": _member(prescriber_id, Role.ORG_MANAGER),
        "regional officer": _member(region.scheme_organisation_id, Role.REGIONAL_OFFICER),
    }
    assert Stage.objects.filter(organisation=body).exists(), "the region has no stage"
    return {role: user for role, user in staff.items() if user is not None}
