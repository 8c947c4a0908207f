"""The legal pages a French public service owes its users, public and linked from the footer of every page: the
accessibility statement (RGAA), the legal notice, the personal-data page and the help page (a section per role).
Who publishes, hosts and answers for the service comes from the settings (LEGAL_*, DPO_CONTACT_EMAIL,
ACCESSIBILITY_*: docs/deployment.md); the texts are in templates/legal/."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import retention
from accounts.models import RetentionPolicy
from accounts.personal_data import Category


def legal_context() -> dict:
    return {
        "publisher": settings.LEGAL_PUBLISHER,
        "publisher_address": settings.LEGAL_PUBLISHER_ADDRESS,
        "publication_director": settings.LEGAL_PUBLICATION_DIRECTOR,
        "host": settings.LEGAL_HOST,
        "host_address": settings.LEGAL_HOST_ADDRESS,
        "contact_email": settings.LEGAL_CONTACT_EMAIL,
        "dpo_email": settings.DPO_CONTACT_EMAIL or settings.LEGAL_CONTACT_EMAIL,
        "accessibility_audit_date": settings.ACCESSIBILITY_AUDIT_DATE,
        "accessibility_contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL or settings.LEGAL_CONTACT_EMAIL,
    }


@login_not_required
@require_GET
def accessibility(request):
    return render(request, "legal/accessibility.html", legal_context())


@login_not_required
@require_GET
def legal_notice(request):
    return render(request, "legal/legal_notice.html", legal_context())


def retention_durations() -> list[dict]:
    """Each category of personal data and the months it is kept by default, as the retention job applies them
    (settings.RETENTION_DEFAULT_MONTHS): the page states the deployment's durations, not a copy of the defaults."""
    return [{"label": category.label, "months": retention.default_months(category.value)} for category in Category]


@login_not_required
@require_GET
def personal_data(request):
    context = legal_context() | {
        "retention_durations": retention_durations(),
        "retention_notice_days": settings.RETENTION_NOTICE_DAYS,
        "access_log_min_months": RetentionPolicy.ACCESS_LOG_MIN_MONTHS,
    }
    return render(request, "legal/personal_data.html", context)


@login_not_required
@require_GET
def help_page(request):
    return render(request, "legal/help.html", legal_context())
