"""Regional staff, region by region: who signed per basin, validating or refusing signatures, reminding those
missing, drafting and publishing a new version of the region's charter. The regional officers of the organisation
that runs the scheme in the region decide (`services.can_decide`); the other funders' regional officers and the
basin coordinators follow."""

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter import selectors, services
from charter.forms import CommitmentFormSet, DraftForm, PublishForm, ReasonForm
from charter.models import CharterVersion, Signature
from charter.views.signing import reason_page
from core.forms import apply_errors
from core.pagination import paginate
from pathways import exports
from pathways.scoping import get_for_user_or_404, require


def _scope(request):
    """(regions followed, the chosen region, its basins, the chosen basin); 403 for those who follow none."""
    return _scope_of(request.user, request.POST if request.method == "POST" else request.GET)


def _scope_of(user, params):
    regions, region, basins, basin = selectors.overview_scope(
        user, region_code=params.get("region"), basin_id=params.get("bassin")
    )
    require(region is not None)
    return regions, region, basins, basin


@require_GET
def overview(request):
    """Per region and basin: where each organisation stands with the region's charter (`selectors.charter_overview`)."""
    data = overview_data(request.user, request.GET)
    if response := exports.respond(request, "charte", data.rows):
        return response
    return render(request, "charter/overview.html", {"overview": data, "page": paginate(request, data.rows)})


def overview_data(user, params):
    """The overview of the region and basin of `params`, on its tab: the page and its export."""
    regions, region, basins, basin = _scope_of(user, params)
    return selectors.charter_overview(
        user, region=region, regions=regions, basins=basins, basin=basin, tab=params.get("statut", "")
    )


def _back(request, fallback):
    """Back to the page the form was on (`next`, a path of this site), else to `fallback`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect(fallback)


@require_POST
def remind(request):
    """Remind the organisations of the chosen basin (or of the region) that have not signed the version in force."""
    _regions, region, _basins, basin = _scope(request)
    require(services.can_publish(request.user, region))
    sent = services.charter_reminders_send(
        by=request.user, organisations=selectors.overview_organisations(region, basin)
    )
    if sent:
        messages.success(
            request,
            _("%(count)s structure(s) relancée(s) : leurs représentant·es légaux·ales reçoivent un e-mail.")
            % {"count": sent},
        )
    else:
        messages.info(request, _("Aucune relance envoyée : toutes sont signataires, ou déjà relancées aujourd'hui."))
    return _back(request, "charter:overview")


@require_POST
def signature_validate(request, pk):
    """The region's scheme organisation (or a platform administrator, see `services.can_decide`) countersigns."""
    signature = get_for_user_or_404(Signature.objects.with_history(), request, pk=pk)
    require(services.can_decide(request.user, signature))
    try:
        services.signature_validate(signature=signature, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("La signature de %(organisation)s est validée.") % {"organisation": signature.organisation}
        )
    return _back(request, signature.get_absolute_url())


@require_http_methods(["GET", "POST"])
def signature_refuse(request, pk):
    """The region's scheme organisation (or a platform administrator) refuses a signature, with its reason (sent to
    the organisation)."""
    signature = get_for_user_or_404(Signature.objects.with_history(), request, pk=pk)
    require(services.can_decide(request.user, signature))
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        label=_("Motif du refus"),
        help_text=_("La structure le lira avec la décision."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_refuse(signature=signature, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("La signature de %(organisation)s est refusée.") % {"organisation": signature.organisation}
            )
            return redirect(signature)
    return reason_page(
        request,
        signature,
        form,
        title=_("Refuser la signature"),
        intro=_("Par exemple si le ou la signataire ne peut pas engager la structure. Le refus est définitif."),
    )


# --------------------------------------------------------------------------------------------------------------
# Versions


@require_POST
def draft_create(request):
    """Start (or resume) the draft of the next version of a region's charter: in a region where the user decides;
    404 for a region they do not follow, 403 for one they only follow."""
    regions = selectors.followed_regions(request.user)
    wanted = request.POST.get("region")
    if wanted:
        region = next((r for r in regions if r.code == wanted), None)
        if region is None:
            raise Http404
    else:
        region = next((r for r in regions if services.can_publish(request.user, r)), None)
    require(region is not None and services.can_publish(request.user, region))
    draft = services.draft_create(by=request.user, region=region)
    return redirect("charter:draft_edit", pk=draft.pk)


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The lines of `new` against `old`: ("same" | "removed" | "added", line)."""
    kinds = {"  ": "same", "- ": "removed", "+ ": "added"}
    return [
        (kinds[line[:2]], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:2] in kinds and line[2:].strip()
    ]


def _draft_or_404(request, pk) -> CharterVersion:
    """A draft of a region where the user drafts and publishes; 404 otherwise (a draft is its editors' only)."""
    draft = get_object_or_404(CharterVersion.objects.select_related("region"), pk=pk)
    if draft.is_published or not services.can_publish(request.user, draft.region_id):
        raise Http404
    return draft


def _draft_initial(draft: CharterVersion, commitments):
    fields = {name: getattr(draft, name) for name in ("title_fr", "title_en", "preamble_fr", "preamble_en")}
    rows = [
        {"id": c.pk, "title_fr": c.title_fr, "text_fr": c.text_fr, "title_en": c.title_en, "text_en": c.text_en}
        for c in commitments
    ]
    return fields, rows


@require_http_methods(["GET", "POST"])
def draft_edit(request, pk):
    """Edit the draft of the next version, with its differences from the version in force."""
    draft = _draft_or_404(request, pk)
    commitments = list(draft.commitments.order_by("position"))
    fields, rows = _draft_initial(draft, commitments)
    if request.method == "POST":
        form = DraftForm(request.POST)
        formset = CommitmentFormSet(request.POST, prefix="engagements")
        if form.is_valid() and formset.is_valid():
            try:
                services.draft_save(
                    draft=draft,
                    by=request.user,
                    fields=form.cleaned_data,
                    commitments=[
                        {**row.cleaned_data, "delete": row.cleaned_data.get("DELETE", False)}
                        for row in formset.forms
                        if row.cleaned_data
                    ],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Le projet de version %(number)s est enregistré.") % {"number": draft.number}
                )
                return redirect("charter:draft_edit", pk=draft.pk)
    else:
        form = DraftForm(initial=fields)
        formset = CommitmentFormSet(initial=rows, prefix="engagements")
    current = CharterVersion.objects.current(draft.region_id)
    old = current.content_text() if current else ""
    new = draft.content_text(commitments)
    return render(
        request,
        "charter/draft_form.html",
        {
            "draft": draft,
            "form": form,
            "formset": formset,
            "current": current,
            "diff": text_diff(old, new),
            "changed": old != new,
            "problems": services.publication_problems(draft, commitments, current_text=old),
            "publish_form": PublishForm(),
        },
    )


@require_POST
def draft_publish(request, pk):
    draft = _draft_or_404(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("charter:draft_edit", pk=draft.pk)
    try:
        version = services.version_publish(
            draft=draft, by=request.user, renewal_grace_days=form.cleaned_data["renewal_grace_days"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("charter:draft_edit", pk=draft.pk)
    messages.success(
        request,
        _("La version %(number)s est publiée : les structures signataires sont invitées à la signer de nouveau.")
        % {"number": version.number},
    )
    return redirect(version)
