from speaking_groups.selectors import groups_nav


def navigation(request):
    """ "Groupes de parole" in the main menu for facilitators and the staff of a training body hosting a group."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_speaking_groups": groups_nav(user)}
