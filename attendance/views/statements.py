"""Monthly attendance statements of a session: request one (built by a worker), follow it, download it."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from attendance.forms import StatementRequestForm
from attendance.models import StatementExport
from attendance.statements import statement_filename, statement_request, statement_stages
from attendance.views.access import staffed_session
from core.documents import document_response
from core.forms import apply_errors
from core.pagination import paginate
from pathways import scoping

CONTENT_TYPES = {
    StatementExport.Format.PDF: "application/pdf",
    StatementExport.Format.CSV: "text/csv; charset=utf-8",
}


def _default_month(session) -> datetime.date:
    """Last month (the one a funder asks for), kept within the session's months."""
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return min(max(last_month, session.start_date.replace(day=1)), session.end_date.replace(day=1))


@require_http_methods(["GET", "POST"])
def statements(request, pk):
    """The session's statement exports, newest first, and the form to request one. With htmx, the list alone
    (it polls itself while an export is being built)."""
    session = staffed_session(request, pk)
    if request.method == "POST":
        form = StatementRequestForm(request.POST, session=session, user=request.user)
        if form.is_valid():
            try:
                statement_request(
                    session=session,
                    month=form.cleaned_data["month"],
                    format=form.cleaned_data["format"],
                    stage=form.cleaned_data["stage"],
                    by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("L'état de présence est en préparation : il apparaît ci-dessous dès qu'il est prêt.")
                )
                return redirect("attendance:statements", pk=session.pk)
    else:
        form = StatementRequestForm(
            session=session, user=request.user, initial={"month": _default_month(session), "format": "pdf"}
        )
    exports = scoping.without_objected(
        StatementExport.objects.filter(session=session), request.user, "stage__pathway__beneficiary"
    ).select_related("stage__pathway__beneficiary", "requested_by")
    page = paginate(request, exports.order_by("-requested_at", "-pk"))
    context = {
        "session": session,
        "form": form,
        "page": page,
        "polling": any(export.status == StatementExport.Status.PENDING for export in page.object_list),
    }
    if request.htmx:
        return render(request, "attendance/includes/statement_list.html", context)
    # The page names the people of the session (their statements, the form's choice of person): one row each.
    named = [export.stage for export in page.object_list if export.stage_id] + list(form.fields["stage"].queryset)
    scoping.log_people_listed(request, ((stage.pathway.beneficiary, (stage.organisation_id,)) for stage in named))
    return render(request, "attendance/statements.html", context)


@require_GET
def statement_download(request, pk):
    """The file of a ready export, for the staff of its session's training body (404 for anyone else)."""
    exports = StatementExport.objects.select_related("session__training_action", "stage__pathway__beneficiary")
    # One person's statement is not for an organisation the person objected to.
    export = get_object_or_404(scoping.without_objected(exports, request.user, "stage__pathway__beneficiary"), pk=pk)
    staffed_session(request, export.session_id)
    response = document_response(export, filename=statement_filename(export), content_type=CONTENT_TYPES[export.format])
    if export.stage_id:  # one person's statement: reading their record
        scoping.record_access(request, export.stage.pathway.beneficiary)
    else:  # the session's statement names everyone active in its month: one row each
        stages = statement_stages(export.session, export.month).select_related("pathway__beneficiary")
        scoping.log_people_listed(request, ((stage.pathway.beneficiary, (stage.organisation_id,)) for stage in stages))
    return response
