from django.conf import settings

from accounts.middleware import seconds_left


def session_expiry(request):
    """For the warning before the session ends (base template, static/js/session.js): the seconds left and when to
    warn. Nothing for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    left = seconds_left(request)
    if left is None:
        left = settings.SESSION_IDLE_SECONDS
    return {
        "session_seconds_left": left,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        # after an htmx POST, the least time left (activity is recorded once per resolution)
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS - settings.SESSION_ACTIVITY_RESOLUTION_SECONDS,
        "session_warning_minutes": max(1, round(settings.SESSION_WARNING_SECONDS / 60)),
    }
