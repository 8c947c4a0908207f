from api import tokens
from pathways import scoping


def navigation(request):
    """ "Jetons d'API · <organisation>" in the user menu of an organisation's managers, for the kinds that may have
    tokens (no query: the memberships are the ones the navigation already read)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    managed = {
        m.organisation
        for m in scoping.active_memberships(user)
        if m.role == scoping.Role.ORG_MANAGER and m.organisation.kind in tokens.ROLE_BY_KIND
    }
    return {"nav_api_organisations": sorted(managed, key=lambda org: org.name)}
