"""Who must log in with a second factor, for the memberships this app holds (registered in `accounts.twofactor`)."""

from django.db.models import Q

from pathways import scoping
from pathways.models import Membership, Organisation

# Roles that read named data across organisations or hold confidential notes.
TWO_FACTOR_ROLES = (
    Membership.Role.REGIONAL_OFFICER,
    Membership.Role.BASIN_COORDINATOR,
    Membership.Role.FACILITATOR,
)
# Kinds of organisation whose every member must use it: a funder is the Region or a State service, so its members
# are the regional staff (their data-protection officer searches the region's access log, their legal
# representative validates the charter's signatures), whatever their role.
TWO_FACTOR_KINDS = (Organisation.Kind.FUNDER,)


def organisation_requires_two_factor(organisation: Organisation) -> bool:
    """Whether every member of `organisation` must use a second factor: by its kind, or by its own setting."""
    return organisation.kind in TWO_FACTOR_KINDS or organisation.two_factor_required


def requires_two_factor(user, *, during_request: bool = False) -> bool:
    """An active membership of a role in `TWO_FACTOR_ROLES`, or in an organisation of a kind in `TWO_FACTOR_KINDS`
    (the regional staff), or in an organisation that asks its members for a second factor
    (`Organisation.two_factor_required`). One query; none more during a request (`during_request`: the
    memberships the request loads once, `scoping.active_memberships`, which its page reads anyway)."""
    if during_request:
        return any(
            membership.role in TWO_FACTOR_ROLES or organisation_requires_two_factor(membership.organisation)
            for membership in scoping.active_memberships(user)
        )
    return (
        Membership.objects.active()
        .filter(user=user)
        .filter(
            Q(role__in=TWO_FACTOR_ROLES)
            | Q(organisation__kind__in=TWO_FACTOR_KINDS)
            | Q(organisation__two_factor_required=True)
        )
        .exists()
    )
