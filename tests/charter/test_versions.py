"""Regional staff draft a new version in the app, see its differences from the version in force, and publish it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from charter.models import CharterVersion, Signature
from charter.services import draft_create, draft_save, version_publish
from tests.charter.factories import sign

pytestmark = pytest.mark.django_db


def formset_data(draft, **changes):
    """The edit page's POST for `draft`, its commitments as they are unless `changes` says otherwise."""
    data = {
        "title_fr": draft.title_fr,
        "title_en": draft.title_en,
        "preamble_fr": draft.preamble_fr,
        "preamble_en": draft.preamble_en,
    }
    commitments = list(draft.commitments.order_by("position"))
    data.update(
        {
            "engagements-TOTAL_FORMS": str(len(commitments) + 1),
            "engagements-INITIAL_FORMS": str(len(commitments)),
            "engagements-MIN_NUM_FORMS": "0",
            "engagements-MAX_NUM_FORMS": "30",
        }
    )
    for i, c in enumerate(commitments):
        for field in ("title_fr", "text_fr", "title_en", "text_en"):
            data[f"engagements-{i}-{field}"] = getattr(c, field)
        data[f"engagements-{i}-id"] = str(c.pk)
    data.update(changes)
    return data


@pytest.fixture
def draft(officer, v1):
    return draft_create(by=officer, region=v1.region)


def test_a_draft_starts_as_a_copy_of_the_version_in_force(draft, v1):
    assert draft.number == 2 and not draft.is_published
    assert list(draft.commitments.values_list("code", "title_fr", "text_fr")) == list(
        v1.commitments.values_list("code", "title_fr", "text_fr")
    )
    assert draft.signed_text().split("\n\n", 1)[1] == v1.signed_text().split("\n\n", 1)[1]


def test_there_is_one_draft_at_a_time(officer, draft):
    assert draft_create(by=officer, region=draft.region) == draft


def test_editing_shows_the_differences_with_the_version_in_force(world, client_for, officer, draft):
    client = client_for(officer)
    url = reverse("charter:draft_edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Aucune différence avec la version en vigueur" in page
    response = client.post(
        url, formset_data(draft, **{"engagements-2-text_fr": "maintenir l’immersion en entreprise, toujours"})
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<del>3. RÉALITÉ : maintenir l’immersion en entreprise au cœur de la définition du projet</del>" in page
    assert "<ins>3. RÉALITÉ : maintenir l’immersion en entreprise, toujours</ins>" in page
    assert CharterVersion.objects.get(number=1).commitments.get(code="realite").text_fr.endswith("du projet")


def test_a_commitment_can_be_added_and_keeps_a_stable_code(world, client_for, officer, draft):
    data = formset_data(
        draft, **{"engagements-10-title_fr": "SOBRIÉTÉ", "engagements-10-text_fr": "ne demander que le nécessaire"}
    )
    client_for(officer).post(reverse("charter:draft_edit", args=[draft.pk]), data)
    added = draft.commitments.get(position=11)
    assert (added.code, added.title_fr) == ("sobriete", "SOBRIÉTÉ")
    assert draft.commitments.get(position=1).code == "fluidite"


def test_a_half_filled_commitment_is_refused(world, client_for, officer, draft):
    data = formset_data(draft, **{"engagements-10-title_fr": "SOBRIÉTÉ"})
    response = client_for(officer).post(reverse("charter:draft_edit", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "Un engagement a un intitulé et un texte en français" in response.content.decode()


def test_publishing_an_unchanged_draft_is_refused(officer, draft):
    with pytest.raises(ValidationError, match="identique à la version en vigueur"):
        version_publish(draft=draft, by=officer, renewal_grace_days=90)
    assert CharterVersion.objects.current(draft.region).number == 1


def test_publishing_an_empty_draft_is_refused(world, client_for, officer, draft):
    draft_save(
        draft=draft,
        by=officer,
        fields={"title_fr": draft.title_fr},
        commitments=[{"id": c.pk, "delete": True} for c in draft.commitments.all()],
    )
    response = client_for(officer).post(
        reverse("charter:draft_publish", args=[draft.pk]), {"renewal_grace_days": "90"}, follow=True
    )
    assert "Le projet ne contient aucun engagement." in response.content.decode()
    assert CharterVersion.objects.current(draft.region).number == 1


def test_publishing_makes_the_new_version_current_and_immutable(world, client_for, officer, representative, draft):
    sign(world.prescriber, representative)
    client = client_for(officer)
    client.post(
        reverse("charter:draft_edit", args=[draft.pk]),
        formset_data(draft, preamble_fr=draft.preamble_fr + "\n\nVersion finale."),
    )
    response = client.post(reverse("charter:draft_publish", args=[draft.pk]), {"renewal_grace_days": "60"})
    draft.refresh_from_db()
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    assert CharterVersion.objects.current(draft.region) == draft
    assert (draft.published_by, draft.renewal_grace_days) == (officer, 60)
    assert Signature.objects.with_history().get(organisation=world.prescriber).status == "to_renew"
    # Published: the edit page is gone, the service refuses, and publishing again changes nothing.
    assert client.get(reverse("charter:draft_edit", args=[draft.pk])).status_code == 404
    with pytest.raises(ValidationError, match="est publiée : elle ne change plus"):
        draft_save(draft=draft, by=officer, fields={"title_fr": "Autre"}, commitments=[])
    with pytest.raises(ValidationError, match="est publiée"):
        version_publish(draft=draft, by=officer, renewal_grace_days=90)


@pytest.mark.parametrize("days", ["0", "400", "abc"])
def test_the_grace_period_is_between_1_and_365_days(world, client_for, officer, draft, days):
    draft_save(
        draft=draft,
        by=officer,
        fields={"title_fr": draft.title_fr, "preamble_fr": "Autre préambule"},
        commitments=[{"id": c.pk, "title_fr": c.title_fr, "text_fr": c.text_fr} for c in draft.commitments.all()],
    )
    response = client_for(officer).post(
        reverse("charter:draft_publish", args=[draft.pk]), {"renewal_grace_days": days}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("charter:draft_edit", args=[draft.pk])
    assert CharterVersion.objects.current(draft.region).number == 1


def test_only_regional_officers_draft_and_publish(world, client_for, draft):
    for role in ("basin_coordinator", "legal_representative", "trainer"):
        client = client_for(world.user(role))
        assert client.post(reverse("charter:draft_create")).status_code == 403
        assert client.post(reverse("charter:draft_publish", args=[draft.pk])).status_code == 404
        assert client.get(reverse("charter:version_detail", args=[draft.region.code, draft.number])).status_code == 404
    with pytest.raises(ValidationError):
        version_publish(draft=draft, by=world.user("basin_coordinator"), renewal_grace_days=90)
