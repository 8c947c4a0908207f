import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import proconnect, services, twofactor
from accounts.forms import PasswordResetRequestForm, TwoFactorCodeForm
from accounts.lockout import client_ip
from accounts.middleware import seconds_left

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


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Mot de passe oublié": records the request and answers at once, the same whether an account exists for the
    address or not (a worker sends the e-mail: `services.password_reset_send`)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], ip_address=client_ip(request))
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_form.html", {"form": form})


@require_POST
def session_ping(request):
    """ "Rester connecté" in the warning before the session ends: a request that is activity, so the session goes on
    (`IdleSessionMiddleware`). Answers the seconds left to the script, or goes back to the page without it."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"seconds_left": seconds_left(request) or settings.SESSION_IDLE_SECONDS})
    target = request.POST.get("next", "")
    # A path of this site only (a bare word would be taken for a URL name by `redirect`).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return HttpResponseRedirect(target)


def locked_out(request, original_response=None, credentials=None):
    """`AXES_LOCKOUT_CALLABLE`: the page of a login refused for too many failures (status 429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES},
        status=429,
    )


# --- Two-factor authentication --------------------------------------------------------------------------------

ENROL_KEY_SESSION_KEY = "twofactor_enrol_key"
BACKUP_CODES_SESSION_KEY = "twofactor_backup_codes"


def _next_url(request, default=None):
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed_hosts = {request.get_host()}
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts=allowed_hosts, require_https=request.is_secure()
    ):
        return url
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _to_verification(request):
    """A page that manages the second factor asks for it first when the user has a device."""
    twofactor.remember(request)
    return redirect(f"{reverse('accounts:twofactor_verify')}?{urlencode({'next': request.path})}")


@require_http_methods(["GET", "POST"])
def twofactor_verify(request):
    """After the password: a code of the user's authenticator app, or one of their backup codes (each works once).
    Wrong codes are slowed down by django-otp (each failure doubles the wait before the next try)."""
    user = request.user
    if twofactor.is_verified(user):
        return redirect(_next_url(request))
    totp = twofactor.confirmed_totp_device(user)
    if totp is None:  # an administrator removed it since the login: set one up again if it is mandatory
        twofactor.remember(request)
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = totp if code.isdigit() and len(code) == totp.digits else twofactor.backup_device(user)
        allowed, _data = device.verify_is_allowed() if device is not None else (True, None)
        if not allowed:
            form.add_error("code", _("Trop de codes erronés : patientez quelques secondes avant de réessayer."))
        elif device is not None and services.twofactor_verify(device=device, token=code):
            request.session.cycle_key()
            otp_login(request, device)
            twofactor.remember(request)
            if device != totp:
                messages.warning(
                    request,
                    _("Vous vous êtes connecté·e avec un code de secours. Il vous en reste %(count)s.")
                    % {"count": device.token_set.count()},
                )
            return redirect(_next_url(request))
        else:
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas le bon. Saisissez le code à 6 chiffres affiché maintenant par votre "
                    "application, ou un de vos codes de secours."
                ),
            )
    return render(request, "accounts/twofactor_verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def twofactor_enrol(request):
    """Set up an authenticator app: a QR code and the key written out, confirmed with a first code; then the backup
    codes, shown once. A user who already has a device must give a code of it first."""
    user = request.user
    if twofactor.has_device(user):
        if not twofactor.is_verified(user):
            return _to_verification(request)
        return redirect("accounts:twofactor")
    key = request.session.get(ENROL_KEY_SESSION_KEY)
    if not key:
        key = request.session[ENROL_KEY_SESSION_KEY] = services.twofactor_new_key()
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = services.twofactor_enrol(user=user, key=key, token=form.cleaned_data["code"])
        if enrolled is None:
            form.add_error(
                "code",
                _(
                    "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et saisissez le code à 6 chiffres "
                    "affiché maintenant par l'application."
                ),
            )
        else:
            device, codes = enrolled
            del request.session[ENROL_KEY_SESSION_KEY]
            request.session.cycle_key()
            otp_login(request, device)
            twofactor.remember(request)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, _("La double authentification est activée sur votre compte."))
            return redirect(f"{reverse('accounts:twofactor_backup_codes')}?{urlencode({'next': _next_url(request)})}")
    device = twofactor.unsaved_device(user, key)
    context = {
        "form": form,
        "qr_code": twofactor.qr_code_data_uri(device),
        "secret": twofactor.secret_for_manual_entry(device),
        "mandatory": twofactor.is_enforced() and twofactor.is_mandatory(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/twofactor_enrol.html", context)


@require_http_methods(["GET"])
def twofactor_backup_codes(request):
    """The backup codes just generated, shown once (printable); a reload shows that they were already shown."""
    if twofactor.has_device(request.user) and not twofactor.is_verified(request.user):
        return _to_verification(request)
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    return render(request, "accounts/twofactor_backup_codes.html", {"codes": codes, "next": _next_url(request)})


@require_http_methods(["GET"])
def twofactor_account(request):
    """The user's second factor: their device, their backup codes left, regenerate them, remove the device."""
    user = request.user
    totp = twofactor.confirmed_totp_device(user)
    if totp is not None and not twofactor.is_verified(user):
        return _to_verification(request)
    backup = twofactor.backup_device(user)
    context = {
        "device": totp,
        "backup_codes_left": backup.token_set.count() if backup else 0,
        "may_remove": twofactor.may_remove(user),
        "mandatory": twofactor.is_mandatory(user),
    }
    return render(request, "accounts/twofactor.html", context)


@require_POST
def twofactor_backup_codes_regenerate(request):
    if not twofactor.has_device(request.user):
        return redirect("accounts:twofactor_enrol")
    if not twofactor.is_verified(request.user):
        return _to_verification(request)
    request.session[BACKUP_CODES_SESSION_KEY] = services.twofactor_backup_codes_generate(user=request.user)
    messages.success(request, _("Vos anciens codes de secours ne fonctionnent plus."))
    return redirect("accounts:twofactor_backup_codes")


@require_POST
def twofactor_remove(request):
    user = request.user
    if twofactor.has_device(user) and not twofactor.is_verified(user):
        return _to_verification(request)
    if not twofactor.may_remove(user):
        messages.error(request, _("La double authentification est obligatoire pour votre compte."))
        return redirect("accounts:twofactor")
    services.twofactor_remove(user=user)
    twofactor.forget_verification(request)
    twofactor.remember(request)
    messages.success(request, _("La double authentification est désactivée sur votre compte."))
    return redirect("accounts:twofactor")


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
