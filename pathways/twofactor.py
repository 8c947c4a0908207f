"""Who must log in with a second factor, for the memberships this app holds (registered in `accounts.twofactor`)."""

from pathways import scoping
from pathways.models import Membership

# Roles that read named data across organisations or hold confidential notes.
TWO_FACTOR_ROLES = (
    Membership.Role.REGIONAL_OFFICER,
    Membership.Role.BASIN_COORDINATOR,
    Membership.Role.FACILITATOR,
)


def requires_two_factor(user) -> bool:
    """An active membership of a role in `TWO_FACTOR_ROLES`, or in an organisation that asks its members for a second
    factor (`Organisation.two_factor_required`). Read from the user's active memberships, loaded once per request
    (`scoping.active_memberships`): `accounts.twofactor.pending_step` asks on every request of a user without a
    device, and the page reads the same memberships."""
    return any(
        membership.role in TWO_FACTOR_ROLES or membership.organisation.two_factor_required
        for membership in scoping.active_memberships(user)
    )
