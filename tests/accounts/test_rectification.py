"""Rectification (issue 20): the person's identity is corrected through the usual form; the change is audited
(django-auditlog: who, when, old and new value), shown in the pathway page's change log, and the access log records
the change of the record."""

from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import AccessLog


def test_a_rectified_phone_is_audited_and_shown_in_the_change_log(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    person = world.beneficiary
    response = client.post(
        reverse("pathways:beneficiary_update", args=[person.pk]),
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date.isoformat(),
            "email": person.email,
            "phone": "0611223344",
            "commune": person.commune_id,
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == world.user("prescriber_adviser")
    assert entry.changes_dict["phone"][1] == "+33611223344"  # stored in E.164
    assert AccessLog.objects.filter(
        beneficiary=person, view_name="pathways:beneficiary_update", action=AccessLog.Action.CHANGE
    ).exists()
    page = client.get(world.pathway.get_absolute_url()).content.decode()
    assert "Journal des modifications" in page and "+33611223344" in page
