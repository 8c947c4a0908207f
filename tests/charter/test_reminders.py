"""Regional staff remind the organisations that have not signed the version in force: an e-mail through the
worker, logged, one per organisation and day whatever the number of clicks."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from charter.models import CharterReminder
from charter.services import charter_reminders_send
from notifications.models import Notification
from notifications.services import deliver_cause
from pathways.models import Organisation
from tests.charter.factories import sign

pytestmark = pytest.mark.django_db


def deliver_all():
    for cause in set(Notification.objects.filter(status="pending").values_list("cause_key", flat=True)):
        deliver_cause(cause)


def reminder_mails():
    return [m for m in mail.outbox if "charte" in m.subject.lower()]


def test_reminding_twice_the_same_day_sends_one_email_per_organisation(world, client_for, officer, v1):
    client = client_for(officer)
    client.post(reverse("charter:remind"), {"bassin": ""})
    client.post(reverse("charter:remind"), {"bassin": ""})
    deliver_all()
    missing = Organisation.objects.filter(region=world.region)
    assert CharterReminder.objects.count() == missing.count()
    recipients = sorted(address for message in reminder_mails() for address in message.to)
    representative = world.user("legal_representative")
    assert recipients.count(representative.email) == 1
    # Each organisation is reminded through its legal representative, else its managers.
    assert recipients.count(world.user("org_manager").email) == 1
    assert len(recipients) == len(set(recipients))
    # The message says only that the charter waits: no name of a person.
    body = reminder_mails()[0].body
    assert "charte" in body.lower() and "http" in body


def test_signatories_are_not_reminded_and_the_next_day_reminds_again(world, officer, representative, v1):
    sign(world.prescriber, representative)
    organisations = list(Organisation.objects.filter(region=world.region))
    today = datetime.date(2026, 12, 1)
    first = charter_reminders_send(by=officer, organisations=organisations, today=today)
    assert first == len(organisations) - 1
    assert not CharterReminder.objects.filter(organisation=world.prescriber).exists()
    assert charter_reminders_send(by=officer, organisations=organisations, today=today) == 0
    assert charter_reminders_send(by=officer, organisations=organisations, today=today.replace(day=2)) == first
    assert CharterReminder.objects.filter(organisation=world.training_body).count() == 2


def test_the_reminder_is_delivered_by_the_worker_once_even_if_redelivered(world, officer, v1):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        charter_reminders_send(by=officer, organisations=[world.training_body])
    rows = Notification.objects.filter(kind="charter_reminder")
    assert rows.count() == 2  # the organisation manager: in-app and e-mail
    cause = rows.first().cause_key
    deliver_cause(cause)
    deliver_cause(cause)
    assert len(reminder_mails()) == 1


def test_a_basin_coordinator_follows_but_does_not_remind(world, client_for, v1):
    client = client_for(world.user("basin_coordinator"))
    page = client.get(reverse("charter:overview")).content.decode()
    assert "Relancer" not in page
    assert client.post(reverse("charter:remind"), {"bassin": ""}).status_code == 403
    assert not CharterReminder.objects.exists()


def test_organisations_of_other_regions_are_never_reminded(world, officer, v1):
    from tests.pathways.factories import OrganisationFactory, RegionFactory

    elsewhere = OrganisationFactory(region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes"))
    assert charter_reminders_send(by=officer, organisations=[elsewhere]) == 0


@pytest.mark.parametrize("target", ["abc", "charter:overview", "//elsewhere.example/", "https://elsewhere.example/"])
def test_after_reminding_a_next_that_is_no_path_of_the_site_goes_back_to_the_overview(
    world, client_for, officer, v1, target
):
    response = client_for(officer).post(reverse("charter:remind"), {"bassin": "", "next": target})
    assert response.status_code == 302 and response.url == reverse("charter:overview")
