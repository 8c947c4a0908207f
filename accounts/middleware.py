from urllib.parse import urlencode, urlsplit

from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


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


class TwoFactorMiddleware:
    """An authenticated user who has not given their second factor in this session reaches no page but the
    verification (when they have a device), the enrolment (when the second factor is mandatory for them), logout and
    the language switch (`accounts.twofactor.pending_step`). A page is redirected there (with `next`); an htmx or
    polling request, or a form sent, gets a 403 with an `HX-Redirect` to it, never the page.

    Placed after django-otp's `OTPMiddleware` (which tells whether the session is verified) and Django's
    `LoginRequiredMiddleware` (anonymous visitors are sent to the login page first)."""

    ALLOWED_VIEWS = frozenset(
        {
            "accounts:login",
            "accounts:logout",
            "accounts:set_language",
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
