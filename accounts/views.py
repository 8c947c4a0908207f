import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import proconnect

logger = logging.getLogger(__name__)


@login_not_required
@require_POST
def set_language(request):
    """Django's language switch, which also saves the choice on the account of a logged-in user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and check_for_language(language)
        and request.user.language != language
    ):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a ProConnect sign-in, the browser then goes to ProConnect to end the session there
    too (accounts.proconnect.logout_url), and comes back to the login page."""

    def post(self, request, *args, **kwargs):
        provider_logout = proconnect.logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response


class ProConnectLoginView(OIDCAuthenticationRequestView):
    """The ProConnect button: to the provider, with a state and a nonce kept in the session. 404 when off."""

    def dispatch(self, request, *args, **kwargs):
        if not proconnect.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: the code is exchanged and the account matched (accounts.proconnect.ProConnectBackend);
    a refusal goes back to the login page with its reason. 404 when off."""

    def dispatch(self, request, *args, **kwargs):
        if not proconnect.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.InvalidTokenError, KeyError, ValueError) as error:
            # A state or nonce that does not match, a bad signature, a provider that does not answer: refused.
            logger.warning("ProConnect sign-in refused: %s: %s", type(error).__name__, error)
            proconnect.refuse(request, "error")
            return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, "proconnect_refusal", "error")
        messages.error(self.request, proconnect.REFUSALS[reason])
        return redirect("accounts:login")

    def login_success(self):
        response = super().login_success()
        proconnect.record_login(self.request)
        return response


proconnect_login = login_not_required(ProConnectLoginView.as_view())
proconnect_callback = login_not_required(ProConnectCallbackView.as_view())
