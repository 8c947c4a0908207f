"""The admin shows no person data outside the scoping layer (issue 20, Authentication): as the platform's superuser,
no page of the admin (change lists, change pages, the change history, the notifications, the access log) holds the
name, phone, e-mail or free texts of a person, and searching the change history by name or phone finds nothing."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from notifications.models import Notification
from tests.conftest import (
    SECRET_CHECKLIST,
    SECRET_COMMENT,
    SECRET_NOTE,
    SECRET_OTHER_BODY,
    SECRET_OTHER_REGION,
    SECRET_ZOE,
)
from tests.crawl import crawl

PHONE = "0677889900"
EMAIL = "zoe.vorandeau@example.org"
LAST_NAME = "Vorandeau"


@pytest.fixture
def person_data(world, adversaries):
    """The world's person with a distinctive name, a phone and an e-mail (changed: the history holds them), a
    notification naming them and listing a checklist's risk items, and a read of their record in the access log."""
    person = world.beneficiary
    person.last_name, person.phone, person.email = LAST_NAME, PHONE, EMAIL
    person.save()
    staff = world.user("prescriber_adviser")
    notification = Notification.objects.create(
        recipient=staff,
        recipient_key=f"user:{staff.pk}",
        kind="checklist_risk",
        cause_key="checklist:hardening",
        params={"person": f"{SECRET_ZOE} {LAST_NAME}", "risks": [SECRET_CHECKLIST]},
        stage=world.stage,
        url=f"/parcours/{world.pathway.pk}/?nom={LAST_NAME}",
    )
    AccessLog.objects.create(user=staff, beneficiary=person, view_name="pathways:beneficiary_detail")
    return notification


MARKERS = [
    SECRET_ZOE,
    LAST_NAME,
    LAST_NAME.upper(),
    PHONE,
    PHONE[1:],  # also in E.164 (+33677889900)
    EMAIL,
    SECRET_COMMENT,
    SECRET_NOTE,
    SECRET_OTHER_BODY,
    SECRET_OTHER_REGION,
    SECRET_CHECKLIST,
]


def leaks(pages):
    return [f"{page.url}: {marker}" for page in pages for marker in MARKERS if marker in page.text]


def test_no_admin_page_shows_a_persons_data(world, person_data, client_for):
    admin = world.user("admin")
    assert admin.is_superuser
    result = crawl(client_for(admin), start=["/admin/"], max_urls=400, per_route=3)
    read = [page for page in result.read if page.url.startswith("/admin/")]
    assert len(read) > 20, "the walk read almost nothing of the admin"
    assert any(page.url.startswith("/admin/auditlog/logentry/") for page in read)
    assert any(page.url.startswith("/admin/notifications/notification/") for page in read)
    assert not leaks(result.pages), "\n".join(leaks(result.pages))


@pytest.mark.parametrize("query", [LAST_NAME, SECRET_ZOE, PHONE, EMAIL, SECRET_COMMENT, SECRET_NOTE])
def test_searching_the_change_history_by_a_persons_name_or_phone_finds_nothing(world, person_data, client_for, query):
    client = client_for(world.user("admin"))
    response = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": query})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0  # (the page shows the query typed, nothing found)


def test_the_change_history_still_lists_the_reference_data(world, person_data, client_for):
    """A charter signature is no person's data: its history stays readable and searchable."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from charter.models import Signature
    from tests.charter.factories import sign

    signature = sign(world.prescriber, world.user("legal_representative"))
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Signature))
    assert entries.exists()
    response = client_for(world.user("admin")).get(reverse("admin:auditlog_logentry_changelist"))
    listed = response.context["cl"].queryset
    assert set(listed.filter(object_pk=str(signature.pk)).values_list("pk", flat=True)) >= set(
        entries.filter(object_pk=str(signature.pk)).values_list("pk", flat=True)
    )
    assert entries.filter(object_pk=str(signature.pk)).exists()


def test_every_history_about_a_person_is_out_of_the_change_history(world, person_data):
    """People, pathways, stages, ruptures, drifts, checklists, and what points to them: reminders, alert actions."""
    from pathways.admin import personal_models

    names = {model._meta.label for model in personal_models()}
    assert {
        "pathways.Beneficiary",
        "pathways.Pathway",
        "pathways.Stage",
        "ruptures.Rupture",
        "attendance.Drift",
        "attendance.FollowUpAttempt",
        "alerts.AlertAction",
        "checklist.Checklist",
    } <= names
    assert not names & {"charter.Signature", "charter.SignatureEvent", "charter.CharterVersion"}


def test_a_notification_shows_its_parameters_masked_and_cannot_be_deleted(world, person_data, client_for):
    client = client_for(world.user("admin"))
    change = client.get(reverse("admin:notifications_notification_change", args=[person_data.pk]))
    assert change.status_code == 200
    content = change.content.decode()
    assert "person = ••••" in content and "risks = ••••" in content
    assert not [marker for marker in MARKERS if marker in content]
    assert reverse("admin:notifications_notification_delete", args=[person_data.pk]) not in content
    delete = client.post(reverse("admin:notifications_notification_delete", args=[person_data.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Notification.objects.filter(pk=person_data.pk).exists()
    changelist = client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "delete_selected", "_selected_action": [person_data.pk], "post": "yes"},
    )
    assert Notification.objects.filter(pk=person_data.pk).exists()
    assert changelist.status_code in (200, 302)


def test_the_access_log_admin_shows_the_person_by_number_only(world, person_data, client_for):
    client = client_for(world.user("admin"))
    entry = AccessLog.objects.filter(beneficiary=world.beneficiary).latest("pk")
    for url in (
        reverse("admin:accounts_accesslog_changelist"),
        reverse("admin:accounts_accesslog_change", args=[entry.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert str(world.beneficiary.pk) in content
        found = [content[max(0, content.find(m) - 80) : content.find(m) + 40] for m in MARKERS if m in content]
        assert not found, url
