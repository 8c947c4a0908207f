"""The charter belongs to a region: versions, drafts, publication, reminders, the overview and the public pages are
each region's. What the regional officers of one region do changes nothing in another."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.gate import held_organisations
from charter.models import CharterReminder, CharterVersion, Signature, SignatureEvent
from charter.notifications import CHARTER_PUBLISHED
from charter.services import charter_reminders_send, draft_create, signature_validate, version_publish
from notifications.models import Notification
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import first_version, publish_new_version, sign
from tests.charter.test_versions import formset_data
from tests.pathways.factories import BasinFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(world):
    """A second region, run by its own Région, with a training body of its own, its basin and its version 1."""
    region = RegionFactory(code="76", name="Occitanie")
    funder = OrganisationFactory(region=region, funder=True, name="Région Occitanie")
    region.scheme_organisation = funder
    region.save()
    officer = Membership.objects.create(
        user=UserFactory(), organisation=funder, role=Membership.Role.REGIONAL_OFFICER
    ).user
    body = OrganisationFactory(region=region, name="Organisme toulousain")
    basin = BasinFactory(region=region, code="7601", name="Toulouse")
    body.basins.add(basin)
    representative = Membership.objects.create(
        user=UserFactory(), organisation=body, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
    ).user
    return SimpleNamespace(
        region=region,
        funder=funder,
        officer=officer,
        body=body,
        basin=basin,
        representative=representative,
        v1=first_version(region),
    )


def main_of(response) -> str:
    """The page's main content (the footer's forms carry a per-request token)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def publish_through_the_pages(client, *, preamble, grace_days="1"):
    """Draft, edit and publish a new version as the logged-in officer does, without naming a region."""
    assert client.post(reverse("charter:draft_create")).status_code == 302
    draft = CharterVersion.objects.drafts().get()
    edit = reverse("charter:draft_edit", args=[draft.pk])
    assert client.post(edit, formset_data(draft, preamble_fr=f"{draft.preamble_fr}\n\n{preamble}")).status_code == 302
    client.post(reverse("charter:draft_publish", args=[draft.pk]), {"renewal_grace_days": grace_days})
    draft.refresh_from_db()
    return draft


def test_an_officer_of_another_region_publishing_changes_nothing_in_this_one(
    world, client, client_for, representative, officer, other
):
    world.region.charter_required_for_alerts = True
    world.region.save()
    world.prescriber.basins.add(world.basin)
    signature = sign(world.prescriber, representative)
    signature_validate(signature=signature, by=officer)
    client.logout()
    pages = {
        "verify": reverse("charter:verify", args=[signature.code]),
        "basin": reverse("charter:basin_signatories", args=[world.region.code, world.basin.code]),
        "region": reverse("charter:region_signatories", args=[world.region.code]),
    }
    before = {name: main_of(client.get(url)) for name, url in pages.items()}

    published = publish_through_the_pages(client_for(other.officer), preamble="Version occitane.")

    assert published.is_published and published.region == other.region and published.number == 2
    assert CharterVersion.objects.current(world.region).number == 1
    signature = Signature.objects.with_history().get(pk=signature.pk)
    assert signature.status == Signature.Status.VALIDATED and signature.is_valid()
    assert not SignatureEvent.objects.filter(signature__organisation__region=world.region, kind="to_renew").exists()
    # Past the other region's grace period, this region's alerts are still delivered.
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert held_organisations([world.prescriber.pk], today=later) == set()
    assert not Notification.objects.filter(kind=CHARTER_PUBLISHED, recipient=representative)
    client.logout()
    assert {name: main_of(client.get(url)) for name, url in pages.items()} == before


def test_publishing_makes_only_the_regions_own_signatures_to_renew(world, representative, officer, other):
    here = sign(world.prescriber, representative)
    there = sign(other.body, other.representative)
    publish_new_version(other.officer, region=other.region)
    assert Signature.objects.with_history().get(pk=here.pk).status == Signature.Status.PENDING
    assert Signature.objects.with_history().get(pk=there.pk).status == Signature.Status.TO_RENEW
    assert Notification.objects.filter(kind=CHARTER_PUBLISHED, recipient=other.representative).exists()


def test_nobody_drafts_or_publishes_in_a_region_they_do_not_run(world, client_for, officer, other, v1):
    from django.core.exceptions import ValidationError

    draft = draft_create(by=officer, region=world.region)
    stranger = client_for(other.officer)
    assert stranger.post(reverse("charter:draft_create"), {"region": world.region.code}).status_code == 404
    assert stranger.get(reverse("charter:draft_edit", args=[draft.pk])).status_code == 404
    assert (
        stranger.post(reverse("charter:draft_publish", args=[draft.pk]), {"renewal_grace_days": "30"}).status_code
        == 404
    )
    assert stranger.get(reverse("charter:version_detail", args=[world.region.code, draft.number])).status_code == 404
    with pytest.raises(ValidationError):
        draft_create(by=other.officer, region=world.region)
    with pytest.raises(ValidationError):
        version_publish(draft=draft, by=other.officer, renewal_grace_days=30)
    draft.refresh_from_db()
    assert not draft.is_published and CharterVersion.objects.of_region(world.region).count() == 2


def test_numbers_run_per_region(world, officer, other, v1):
    assert (v1.number, other.v1.number) == (1, 1)
    assert draft_create(by=officer, region=world.region).number == 2
    assert CharterVersion.objects.current(other.region) == other.v1


def test_reminders_go_only_to_the_organisations_of_the_regions_the_officer_runs(world, officer, other, v1):
    sent = charter_reminders_send(by=officer, organisations=[world.prescriber, other.body])
    assert sent == 1
    reminder = CharterReminder.objects.get()
    assert (reminder.organisation, reminder.version) == (world.prescriber, v1)


def test_an_organisation_signs_its_own_regions_version(world, representative, v1, other):
    signature = sign(world.prescriber, representative)
    assert signature.version == v1
    assert sign(other.body, other.representative).version == other.v1


def test_the_overview_shows_one_region_and_its_version(world, client_for, officer, other, v1):
    publish_new_version(other.officer, region=other.region)
    response = client_for(officer).get(reverse("charter:overview"))
    overview = response.context["overview"]
    assert overview.region.pk == world.region.pk and overview.current.number == 1
    assert other.body.pk not in [row.pk for row in overview.rows]
    assert other.body.name not in response.content.decode()
    assert client_for(other.officer).get(reverse("charter:overview")).context["overview"].current.number == 2
    # A region they do not follow is not theirs to choose.
    chosen = client_for(officer).get(reverse("charter:overview"), {"region": other.region.code})
    assert chosen.context["overview"].region.pk == world.region.pk


def test_the_charter_page_shows_the_readers_region(world, client_for, other, v1):
    publish_new_version(other.officer, region=other.region, change="Seulement en Occitanie.")
    page = client_for(world.user("trainer")).get(reverse("charter:current")).content.decode()
    assert "Seulement en Occitanie." not in page and "version 1" in page
    page = client_for(other.representative).get(reverse("charter:current")).content.decode()
    assert "Seulement en Occitanie." in page


def test_the_verification_page_shows_the_signatures_region_and_its_version(world, client, representative, other):
    signature = sign(other.body, other.representative)
    sign(world.prescriber, representative)
    publish_new_version(other.officer, region=other.region)
    page = client.get(reverse("charter:verify", args=[signature.code])).content.decode()
    assert "Occitanie" in page and "La version 2 est désormais en vigueur dans la région Occitanie" in page
    assert "Nouvelle-Aquitaine" not in page


def test_the_public_pages_show_only_the_region_concerned(world, client, representative, other):
    world.prescriber.basins.add(world.basin)
    sign(world.prescriber, representative)
    sign(other.body, other.representative)
    index = client.get(reverse("charter:signatories")).content.decode()
    assert reverse("charter:region_signatories", args=[other.region.code]) in index
    region = client.get(reverse("charter:region_signatories", args=[world.region.code])).content.decode()
    assert world.basin.name in region and other.basin.name not in region and "Occitanie" not in region
    basin = client.get(reverse("charter:basin_signatories", args=[other.region.code, other.basin.code]))
    assert other.body.name in basin.content.decode() and world.prescriber.name not in basin.content.decode()
    # A basin is found only under its own region.
    wrong = reverse("charter:basin_signatories", args=[world.region.code, other.basin.code])
    assert client.get(wrong).status_code == 404


def test_the_addresses_before_the_charter_became_regional_still_lead_somewhere(world, client, client_for, v1, other):
    old_basin = client.get(f"/charte/signataires/{world.basin.code}/")
    assert old_basin.status_code == 301
    assert old_basin.url == reverse("charter:basin_signatories", args=[world.region.code, world.basin.code])
    old_version = client_for(other.representative).get("/charte/versions/1/")
    assert old_version.status_code == 302 and old_version.url == other.v1.get_absolute_url()
    assert client_for(world.user("trainer")).get("/charte/versions/1/").url == v1.get_absolute_url()
    assert client_for(world.user("trainer")).get("/charte/versions/9/").status_code == 404
