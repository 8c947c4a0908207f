"""The commission report of a meeting: asking for it, its progress (polled), downloading it, retrying it.

Who: anyone who sees the meeting (its commission's managers and delegates) asks for either version. The members'
version names cases with the requester's scope, so it is downloaded by them alone (another reader gets a 404 and
asks for their own); the wide version is shared by all who see the meeting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commissions import selectors
from commissions.forms.reports import ReportForm
from commissions.models import CommissionReport, Meeting
from commissions.report import report_filename
from commissions.services import reports as services
from commissions.services.meetings import agenda_access_record
from core.documents import document_response
from pathways.scoping import get_for_user_or_404, scope

REPORTS_TEMPLATE = "commissions/includes/reports.html"


def _answer(request, meeting):
    if request.htmx:
        return render(request, REPORTS_TEMPLATE, selectors.meeting_reports(meeting, request.user))
    return redirect(f"{meeting.get_absolute_url()}#rapport")


@require_POST
def report_request(request, pk):
    meeting = get_for_user_or_404(Meeting.objects.select_related("commission"), request, pk=pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une version et une langue."))
        return _answer(request, meeting)
    try:
        _report, created = services.report_request(meeting=meeting, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Le rapport est en préparation : il sera disponible ici dans un instant.")
            if created
            else _("Ce rapport est déjà en préparation : il sera disponible ici dans un instant."),
        )
    return _answer(request, meeting)


@require_GET
def report_list(request, pk):
    """The meeting's reports, polled every few seconds while one is built (scoped like the page; nothing of a
    person's record, so no access log at each poll)."""
    meeting = get_object_or_404(scope(Meeting.objects.all(), request.user), pk=pk)
    return render(request, REPORTS_TEMPLATE, selectors.meeting_reports(meeting, request.user))


def _readable(request, pk):
    return get_object_or_404(
        selectors.readable_reports(request.user).select_related("meeting__commission__basin"), pk=pk
    )


@require_GET
def report_download(request, pk):
    report = _readable(request, pk)
    response = document_response(report, filename=report_filename(report))
    if response.status_code == 200 and report.version == CommissionReport.Version.MEMBERS:
        # The members' version names the cases its requester (the one who downloads it) sees, as the meeting's page
        # does: one access log row per person named, as for the page.
        agenda = selectors.meeting_agenda(report.meeting, request.user)
        agenda_access_record(user=request.user, rows=agenda["items"], view_name=request.resolver_match.view_name)
    return response


@require_POST
def report_retry(request, pk):
    report = _readable(request, pk)
    try:
        services.report_retry(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le rapport est de nouveau en préparation."))
    return _answer(request, report.meeting)


urlpatterns = [
    path("reunions/<int:pk>/rapports/", report_list, name="report_list"),
    path("reunions/<int:pk>/rapports/demander/", report_request, name="report_request"),
    path("rapports/<int:pk>/", report_download, name="report_download"),
    path("rapports/<int:pk>/reessayer/", report_retry, name="report_retry"),
]
