from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import PasswordResetRequestForm
from accounts.lockout import client_ip
from accounts.middleware import seconds_left


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
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = settings.LOGIN_REDIRECT_URL
    return redirect(target)


def locked_out(request, original_response=None, credentials=None):
    """`AXES_LOCKOUT_CALLABLE`: the page of a login refused for too many failures (status 429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES},
        status=429,
    )
