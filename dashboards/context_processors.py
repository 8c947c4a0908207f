from django.urls import reverse

from dashboards import access


def navigation(request):
    """ "Tableaux de bord" in the main menu: the region's map for regional staff, else the dashboard of the user's
    organisation (the first by name when they read several; each dashboard links to the others)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if access.dashboard_region_ids(user):
        return {"nav_dashboard_url": reverse("dashboards:region")}
    organisations = access.dashboard_organisations(user)
    if organisations:
        return {"nav_dashboard_url": reverse("dashboards:organisation", args=[organisations[0].pk])}
    return {}
