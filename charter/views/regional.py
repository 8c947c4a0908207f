"""Regional staff: who signed per basin, validating or refusing signatures, reminding those missing, drafting and
publishing a new version. Regional officers of a funder decide; basin coordinators follow."""

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter import services
from charter.forms import CommitmentFormSet, DraftForm, PublishForm, ReasonForm
from charter.gate import held_alert_counts
from charter.models import CharterReminder, CharterVersion, Signature
from charter.status import OrganisationStatus, attach_statuses
from charter.views.signing import reason_page
from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping
from pathways.models import Basin, Membership, Organisation
from pathways.scoping import get_for_user_or_404, require

# The overview's status tabs: the organisation statuses, plus the signatures waiting for the Région's decision.
PENDING_TAB = "pending"


def _overview_scope(request):
    """(regions followed, basins of those regions, the chosen basin or None for all of them)."""
    regions = services.regions_followed(request.user)
    require(bool(regions))
    basins = list(Basin.objects.filter(region__in=regions).order_by("name"))
    wanted = request.GET.get("bassin") or request.POST.get("bassin")
    if wanted is None:
        coordinated = next(
            (
                m.basin_id
                for m in scoping.active_memberships(request.user)
                if m.role == Membership.Role.BASIN_COORDINATOR and m.basin_id
            ),
            None,
        )
        wanted = str(coordinated or "")
    basin = next((b for b in basins if str(b.pk) == wanted), None)
    return regions, basins, basin


def _organisations(regions, basin):
    organisations = Organisation.objects.filter(region__in=regions, is_active=True)
    if basin is not None:
        organisations = organisations.filter(basins=basin)
    return list(organisations.distinct().order_by("name"))


@require_GET
def overview(request):
    """Per basin: who signed the version in force, who signed an older one, who never signed, who withdrew; the
    signatures to validate; the alerts held for each organisation; the last reminder."""
    regions, basins, basin = _overview_scope(request)
    current = CharterVersion.objects.current()
    organisations = attach_statuses(_organisations(regions, basin))
    ids = [org.pk for org in organisations]
    held = held_alert_counts(ids)
    reminded = dict(
        CharterReminder.objects.filter(organisation__in=ids, version=current)
        .values("organisation")
        .annotate(last=Max("day"))
        .values_list("organisation", "last")
    )
    for org in organisations:
        org.held_alerts = held.get(org.pk, 0)
        org.last_reminder = reminded.get(org.pk)
    counts = {status: 0 for status in OrganisationStatus.values}
    for org in organisations:
        counts[org.charter.status] += 1
    pending = [org for org in organisations if org.charter.pending_validation]
    tab = request.GET.get("statut", "")
    if tab == PENDING_TAB:
        shown = pending
    elif tab in OrganisationStatus.values:
        shown = [org for org in organisations if org.charter.status == tab]
    else:
        tab, shown = "", organisations
    tabs = [("", _("Toutes"), len(organisations))]
    tabs += [(status, OrganisationStatus(status).label, counts[status]) for status in OrganisationStatus.values]
    tabs.append((PENDING_TAB, _("À valider"), len(pending)))
    context = {
        "current": current,
        "basins": basins,
        "basin": basin,
        "page": paginate(request, shown),
        "tabs": tabs,
        "tab": tab,
        "missing": len(organisations) - counts[OrganisationStatus.SIGNED],
        "held_total": sum(held.values()),
        "decides": bool(services.regions_decided(request.user) & regions),
        "draft": CharterVersion.objects.drafts().order_by("-number").first(),
    }
    return render(request, "charter/overview.html", context)


def _back(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
def remind(request):
    """Remind the organisations of the chosen basin (or of the region) that have not signed the version in force."""
    regions, _basins, basin = _overview_scope(request)
    require(bool(services.regions_decided(request.user) & regions))
    sent = services.charter_reminders_send(by=request.user, organisations=_organisations(regions, basin))
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
    """The Région countersigns a signature of an organisation of its region."""
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
    """The Région refuses a signature, with its reason (sent to the organisation)."""
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
    require(services.can_publish(request.user))
    draft = services.draft_create(by=request.user)
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
    if not services.can_publish(request.user):
        raise Http404
    draft = get_object_or_404(CharterVersion, pk=pk)
    if draft.is_published:
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
    current = CharterVersion.objects.current()
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
