import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# The session key holding the time (epoch seconds) of the user's last activity.
LAST_ACTIVITY = "_last_activity"


class UserLanguageMiddleware:
    """A logged-in user's pages are in the language saved on their account (set by the language switcher)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def background(view):
    """Marks a view whose requests are made by the page on its own (a badge, a poll): they are not the user's
    activity, so they do not keep the session alive (`IdleSessionMiddleware`)."""
    view.session_activity = False
    return view


def is_background_poll(request) -> bool:
    """Whether the page made this request on its own: every htmx GET of the app is a poll (`hx-trigger="every …"`);
    what the user clicks is a link, a form or an htmx POST. A poll is neither activity (the idle session) nor a read
    (the access log: `pathways.scoping.log_people_listed`)."""
    return request.method in ("GET", "HEAD") and request.headers.get("HX-Request") == "true"


def is_activity(request, view) -> bool:
    """Whether a request is the user's doing: not a background poll, nor a request to a view marked
    `@background`."""
    if not getattr(view, "session_activity", True):
        return False
    return not is_background_poll(request)


def seconds_left(request) -> int | None:
    """Seconds before the session of `request` ends for lack of activity; None without a timed session."""
    last = request.session.get(LAST_ACTIVITY)
    if last is None:
        return None
    return max(0, int(last + settings.SESSION_IDLE_SECONDS - time.time()))


class IdleSessionMiddleware:
    """Ends a session after `SESSION_IDLE_SECONDS` without activity (polling is not activity: `is_activity`).

    The last activity is kept in the session (`LAST_ACTIVITY`), written at most once per
    `SESSION_ACTIVITY_RESOLUTION_SECONDS`; each write also moves the session's expiry in the database
    (`SESSION_COOKIE_AGE` is the idle time), so an abandoned session is also gone from the database by then.
    An htmx request out of session (a poll after the end) gets an empty answer asking htmx to reload the page,
    which leads to the login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        htmx = request.headers.get("HX-Request") == "true"
        if not request.user.is_authenticated:
            if htmx and getattr(view_func, "login_required", True):
                return self.reload()
            return None
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY)
        if last is not None and now - last >= settings.SESSION_IDLE_SECONDS:
            logout(request)
            if htmx:
                return self.reload()
            return None  # LoginRequiredMiddleware, next, sends to the login page
        if is_activity(request, view_func) and (
            last is None or now - last >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS
        ):
            request.session[LAST_ACTIVITY] = now
        return None

    @staticmethod
    def reload():
        """The answer to an htmx request out of session: reload the page, which leads to the login (rather than
        the login page swapped into a badge)."""
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})


def activity_at_login(sender, request, user, **kwargs):
    """`user_logged_in` (connected in `AccountsConfig.ready`): logging in is activity."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class TwoFactorMiddleware:
    """An authenticated user who has not given their second factor in this session reaches no page but the
    verification (when they have a device), the enrolment (when the second factor is mandatory for them), logout, the
    language switch and "Rester connecté" of the idle warning, which shows on those pages too
    (`accounts.twofactor.pending_step`). A page is redirected there (with `next`); an htmx or
    polling request, or a form sent, gets a 403 with an `HX-Redirect` to it, never the page.

    Placed after django-otp's `OTPMiddleware` (which tells whether the session is verified) and Django's
    `LoginRequiredMiddleware` (anonymous visitors are sent to the login page first)."""

    ALLOWED_VIEWS = frozenset(
        {
            "accounts:login",
            "accounts:logout",
            "accounts:set_language",
            "accounts:session_ping",
            "accounts:twofactor_verify",
            "accounts:twofactor_enrol",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from accounts import twofactor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or twofactor.is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.ALLOWED_VIEWS:
            return None
        step = twofactor.pending_step(request)
        if step is None:
            return None
        target = reverse(f"accounts:twofactor_{step}")
        if request.method in ("GET", "HEAD") and not getattr(request, "htmx", False):
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        response = HttpResponseForbidden(_("Confirmez d'abord votre connexion avec votre second facteur."))
        # The page sends the browser there, unless it is already there (the menu's polling of the set-up page must
        # not reload it while the user types their code).
        if urlsplit(request.headers.get("HX-Current-URL", "")).path != target:
            response["HX-Redirect"] = target
        return response


class NoStoreForAuthenticatedMiddleware:
    """Every answer to a logged-in user is `Cache-Control: no-store` (with Django's `never_cache` headers): a page
    about people must not stay in a shared proxy, nor in the browser's cache or history for the next person at the
    same computer. Answers to anonymous visitors (the public charter and legal pages, the login page) keep their
    own caching; static files are served before this middleware (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
