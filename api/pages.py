"""The pages of the partner API: the documentation (public) and an organisation's tokens (its managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from drf_spectacular.generators import SchemaGenerator

from api import services, tokens
from api.forms import TokenForm
from api.models import ApiToken
from core.forms import apply_errors
from pathways import scoping
from pathways.models import Organisation
from pathways.scoping import get_for_user_or_404, require

METHODS = ("get", "post", "put", "patch", "delete")


@login_not_required
@require_GET
def api_docs(request):
    """The API's documentation, written from its OpenAPI schema on the server: no script from elsewhere, so the
    site's strict Content-Security-Policy holds (Swagger UI and Redoc would need their files served from here)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary") or operation.get("description", "").split("\n\n")[0],
            "parameters": [p for p in operation.get("parameters", []) if p.get("in") == "query"],
        }
        for path, item in schema["paths"].items()
        for method in METHODS
        if (operation := item.get(method))
    ]
    return render(request, "api/docs.html", {"operations": operations, "info": schema["info"]})


def _managed_organisation(request, pk):
    """One of the user's organisations (404 otherwise), whose tokens only its managers handle (403)."""
    organisation = get_for_user_or_404(Organisation.objects.select_related("region"), request, pk=pk)
    require(scoping.can_manage_members(request.user, organisation))
    return organisation


@require_GET
def token_list(request, pk):
    organisation = _managed_organisation(request, pk)
    api_tokens = ApiToken.objects.filter(organisation=organisation).select_related("created_by", "revoked_by")
    return render(
        request,
        "api/token_list.html",
        {
            "organisation": organisation,
            "tokens": api_tokens,
            "may_have_tokens": organisation.kind in tokens.ROLE_BY_KIND,
        },
    )


@require_http_methods(["GET", "POST"])
def token_create(request, pk):
    """Create a token; the page that answers shows it, once (only its hash is kept)."""
    organisation = _managed_organisation(request, pk)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                organisation=organisation, name=form.cleaned_data["name"], expires_at=form.expires_at(), by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            context = {"organisation": organisation, "token": token, "secret": secret}
            return render(request, "api/token_created.html", context)
    return render(
        request,
        "api/token_form.html",
        {"organisation": organisation, "form": form, "may_have_tokens": organisation.kind in tokens.ROLE_BY_KIND},
    )


@require_POST
def token_revoke(request, pk):
    token = get_for_user_or_404(ApiToken.objects.select_related("organisation"), request, pk=pk)
    if services.token_revoke(token=token, by=request.user):
        messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("api:token_list", pk=token.organisation_id)
