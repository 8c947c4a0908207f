from commissions.selectors import commissions_nav


def navigation(request):
    """ "Commissions" in the main menu for regional staff, basin coordinators and delegates."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_commissions": commissions_nav(request)}
