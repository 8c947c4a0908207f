from notifications.models import Notification


def inbox(request):
    """The unread count of the navigation badge, computed lazily (one query, only if a template shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread_count():
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = Notification.objects.inbox(user).unread().count()
        return request._unread_notifications

    return {"unread_notifications": unread_count}
