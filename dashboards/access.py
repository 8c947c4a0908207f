"""Who sees which dashboard (docs/design.md §6), read from the scoping layer's memberships (`pathways.scoping`).

- **Regional staff** (a regional officer or a basin coordinator, the roles that see their region's aggregates): the
  region map and every basin dashboard of their region(s); aggregates only, small counts hidden. A basin of
  another region is outside their scope (404).
- **A training body's managers** (organisation manager, pedagogical manager): their organisation's dashboard (and
  per session of theirs), with exact counts, and the figures of the basins it serves beside (small counts hidden).
- **A prescriber's manager and advisers**: the dashboard of the people their organisation prescribed.
- Anyone else: a dashboard of an organisation they belong to answers 403 (in scope, not allowed); one of an
  organisation they do not belong to answers 404.
"""

from pathways import scoping
from pathways.models import Basin, Organisation, Region

Role = scoping.Role
Kind = Organisation.Kind

REGIONAL_ROLES = frozenset({Role.REGIONAL_OFFICER, Role.BASIN_COORDINATOR})
# For each organisation kind with a dashboard: the roles that read it.
ORGANISATION_ROLES = {
    Kind.TRAINING_BODY: frozenset({Role.ORG_MANAGER, Role.PEDAGOGICAL_MANAGER}),
    Kind.PRESCRIBER: frozenset({Role.ORG_MANAGER, Role.PRESCRIBER_ADVISER}),
}


def dashboard_region_ids(user) -> set[int]:
    """The regions whose map and basins `user` reads (as regional staff)."""
    return scoping.region_ids(user, roles=REGIONAL_ROLES)


def dashboard_regions(user) -> list[Region]:
    regions = {
        m.organisation.region_id: m.organisation.region
        for m in scoping.active_memberships(user)
        if m.role in REGIONAL_ROLES
    }
    return sorted(regions.values(), key=lambda region: region.name)


def dashboard_basins(user):
    """The basins whose dashboard `user` reads (a queryset)."""
    return Basin.objects.filter(region__in=dashboard_region_ids(user))


def organisation_ids(user) -> set[int]:
    """The organisations whose dashboard `user` reads."""
    return {
        m.organisation_id
        for m in scoping.active_memberships(user)
        if m.role in ORGANISATION_ROLES.get(m.organisation.kind, ())
    }


def dashboard_organisations(user) -> list[Organisation]:
    organisations = {
        m.organisation_id: m.organisation
        for m in scoping.active_memberships(user)
        if m.role in ORGANISATION_ROLES.get(m.organisation.kind, ())
    }
    return sorted(organisations.values(), key=lambda organisation: organisation.name)


def has_dashboard(user) -> bool:
    return bool(dashboard_region_ids(user) or organisation_ids(user))


def organisation_or_404(user, pk: int) -> Organisation:
    """The organisation of a dashboard: 404 outside the user's organisations, 403 for a member whose role has no
    dashboard (a trainer, a DPO)."""
    from django.http import Http404

    membership = next((m for m in scoping.active_memberships(user) if m.organisation_id == pk), None)
    if membership is None:
        raise Http404
    scoping.require(pk in organisation_ids(user))
    return membership.organisation
