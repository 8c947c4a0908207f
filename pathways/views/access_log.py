"""The access log's pages (issue 20): the data-protection officer's search and export, and who accessed a person's
record, shown to their referent and to the DPOs who watch over them.

Who reads which rows: an organisation's DPO, the rows written on behalf of their organisation; the region's DPO
(a DPO of the region's scheme organisation), every row of the region (`pathways.scoping.dpo_region_ids`). Reading the
log is itself logged: one row per person named on the page or in the export. A row about a person of the DPO's
remit also leads to that person's data-protection page (`pathways.views.dpo`), where the DPO answers their rights.
"""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access_log
from accounts.models import AccessLog, User
from core.exports import Table, export_response
from core.pagination import paginate
from pathways import scoping
from pathways.forms import AccessLogSearchForm
from pathways.models import Beneficiary, Organisation
from pathways.scoping import require

PER_PAGE = 50
# An export holds at most this many rows (the newest): a longer period is exported in several parts.
EXPORT_MAX_ROWS = 50_000


def _dpo_scope(user):
    """(organisation ids, region ids) whose rows `user` reads as a DPO; 403 for anyone else."""
    organisation_ids = scoping.dpo_organisation_ids(user)
    require(bool(organisation_ids))
    return organisation_ids, scoping.dpo_region_ids(user)


def _searched_rows(form, organisation_ids, region_ids):
    rows = access_log.rows_in_scope(organisation_ids=organisation_ids, region_ids=region_ids)
    if not form.is_valid():
        return access_log.search(rows)
    people = form.people_filter()
    users = form.users_filter()
    organisation = form.cleaned_data.get("organisation")
    return access_log.search(
        rows,
        beneficiary_ids=None if people is None else Beneficiary.objects.filter(people).values("pk"),
        user_ids=None if users is None else User.objects.filter(users).values("pk"),
        organisation_id=organisation.pk if organisation else None,
        start=form.cleaned_data.get("start"),
        end=form.cleaned_data.get("end"),
    )


def _organisations(organisation_ids, region_ids):
    return Organisation.objects.filter(Q(pk__in=organisation_ids) | Q(region__in=region_ids)).order_by("name")


def _named_people(rows):
    """(person, None) for the rows that name a person (a duplicate check's person is never named: it may lie outside
    the organisation's scope)."""
    return [
        (row.beneficiary_id, None)
        for row in rows
        if row.beneficiary_id is not None and row.action != AccessLog.Action.DUPLICATE_CHECK
    ]


@require_http_methods(["GET", "POST"])
def access_log_search(request):
    """The DPO's page: the newest rows of their scope, searched by person, user, organisation and period (a POST, so
    that no name lands in a URL), paginated by the same form."""
    organisation_ids, region_ids = _dpo_scope(request.user)
    form = AccessLogSearchForm(
        request.POST if request.method == "POST" else None, organisations=_organisations(organisation_ids, region_ids)
    )
    rows = _searched_rows(form, organisation_ids, region_ids)
    page_number = form.cleaned_data.get("page") if form.is_bound and form.is_valid() else None
    page = Paginator(rows, PER_PAGE).get_page(page_number)
    acting = scoping.dpo_default_organisation(request.user)
    access_log.record_many(
        user=request.user,
        people=[(person, acting) for person, _none in _named_people(page.object_list)],
        view_name=request.resolver_match.view_name,
    )
    named = {person for person, _none in _named_people(page.object_list)}
    # The people of the page whose data-protection page the DPO may open (their remit), in one query.
    in_remit = (
        set(
            Beneficiary.objects.filter(pk__in=named)
            .filter(pk__in=scoping.dpo_people(request.user))
            .values_list("pk", flat=True)
        )
        if named
        else set()
    )
    return render(
        request,
        "pathways/access_log.html",
        {"form": form, "page": page, "is_region_dpo": bool(region_ids), "in_remit": in_remit},
    )


@require_POST
def access_log_export(request):
    """The rows of the same search as a CSV file (`core.exports`: formula-like cells escaped); the
    export is itself logged, one row per person it names."""
    organisation_ids, region_ids = _dpo_scope(request.user)
    form = AccessLogSearchForm(request.POST, organisations=_organisations(organisation_ids, region_ids))
    rows = list(_searched_rows(form, organisation_ids, region_ids)[:EXPORT_MAX_ROWS])
    acting = scoping.dpo_default_organisation(request.user)
    access_log.record_many(
        user=request.user,
        people=[(person, acting) for person, _none in _named_people(rows)],
        view_name=request.resolver_match.view_name,
        action=AccessLog.Action.EXPORT,
    )
    header = [
        _("Date"),
        _("Utilisateur·rice"),
        _("E-mail"),
        _("Au titre de"),
        _("Numéro de la personne"),
        _("Personne"),
        _("Action"),
        _("Page"),
        _("Nom technique de la page"),
    ]
    table = Table(
        title=_("Journal des accès"),
        headers=header,
        rows=[
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.user.get_full_name(),
                row.user.email,
                row.acting_organisation.name if row.acting_organisation else "",
                row.beneficiary_id or "",
                _person_name(row),
                row.get_action_display(),
                row.view_label,
                row.view_name,
            ]
            for row in rows
        ],
    )
    return export_response(table, "csv", f"journal-des-acces-{timezone.localdate():%Y-%m-%d}")


def _person_name(row) -> str:
    if row.beneficiary_id is None or row.action == AccessLog.Action.DUPLICATE_CHECK:
        return ""
    if row.beneficiary is None:
        return _("(personne supprimée)")
    return row.beneficiary.full_name


@require_GET
def beneficiary_access_log(request, pk):
    """Who accessed this person's record, and when: for the referent of one of their pathways, the DPO of an
    organisation that may see them and the region's DPO. A user who sees the person otherwise gets 403; anyone else
    404. Reading it is a read of the person's record (logged)."""
    beneficiary = get_object_or_404(Beneficiary.objects.all(), pk=pk)
    allowed, acting = scoping.access_log_reader(request.user, beneficiary)
    if not allowed:
        if Beneficiary.objects.for_user(request.user).filter(pk=beneficiary.pk).exists():
            require(False)
        raise Http404
    access_log.record(
        user=request.user,
        beneficiary=beneficiary,
        view_name=request.resolver_match.view_name,
        acting_organisation=Organisation.objects.get(pk=acting) if acting else None,
    )
    rows = beneficiary.access_logs.select_related("user", "acting_organisation").order_by("-at", "-pk")
    return render(
        request,
        "pathways/beneficiary_access_log.html",
        {"beneficiary": beneficiary, "page": paginate(request, rows, per_page=PER_PAGE)},
    )
