"""A signature never changes, its events are only appended, a published version never changes: the database
refuses it (triggers, migration 0003) and the admin offers no way to do it."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from charter.models import CharterVersion, Commitment, Signature, SignatureEvent
from charter.services import draft_create, signature_validate
from tests.charter.factories import sign

pytestmark = pytest.mark.django_db


def refused(change):
    with pytest.raises(IntegrityError), transaction.atomic():
        change()


def test_the_database_refuses_to_change_a_signature(world, representative, v1):
    signature = sign(world.prescriber, representative)
    refused(lambda: Signature.objects.filter(pk=signature.pk).update(signatory_name="Quelqu'un d'autre"))
    refused(lambda: Signature.objects.filter(pk=signature.pk).update(digest="0" * 64))
    signature.signatory_function = "Stagiaire"
    refused(signature.save)
    signature.refresh_from_db()
    assert signature.signatory_function == "Directrice"


def test_the_database_refuses_to_change_an_event(world, representative, officer, v1):
    signature = sign(world.prescriber, representative)
    event = signature_validate(signature=signature, by=officer)
    refused(lambda: SignatureEvent.objects.filter(pk=event.pk).update(at=timezone.now()))
    refused(lambda: SignatureEvent.objects.filter(pk=event.pk).update(kind=SignatureEvent.Kind.REFUSED))


def test_the_database_refuses_to_change_a_published_version(v1):
    refused(lambda: CharterVersion.objects.filter(pk=v1.pk).update(preamble_fr="Autre"))
    refused(lambda: Commitment.objects.filter(version=v1, position=1).update(text_fr="Autre chose"))
    refused(lambda: Commitment.objects.create(version=v1, position=11, code="nouveau", title_fr="NOUVEAU", text_fr="x"))


def test_a_draft_may_change_until_it_is_published(officer, v1):
    draft = draft_create(by=officer, region=v1.region)
    Commitment.objects.filter(version=draft, position=1).update(text_fr="Un autre texte")
    CharterVersion.objects.filter(pk=draft.pk).update(preamble_fr="Un autre préambule")
    CharterVersion.objects.filter(pk=draft.pk).update(published_at=timezone.now(), published_by=officer)
    refused(lambda: Commitment.objects.filter(version=draft, position=1).update(text_fr="Encore un autre"))


def test_the_admin_shows_signatures_read_only(world, client_for, representative, v1):
    signature = sign(world.prescriber, representative)
    admin = client_for(world.user("admin"))
    change_url = reverse("admin:charter_signature_change", args=[signature.pk])
    page = admin.get(change_url)
    assert page.status_code == 200
    assert b'name="signatory_name"' not in page.content  # shown, not editable
    assert admin.post(change_url, {"signatory_name": "X"}).status_code == 403
    assert admin.get(reverse("admin:charter_signature_delete", args=[signature.pk])).status_code == 403
    assert admin.get(reverse("admin:charter_signature_add")).status_code == 403
    signature.refresh_from_db()
    assert signature.signatory_name != "X"


def test_the_admin_edits_drafts_but_not_published_versions(world, client_for, officer, v1):
    admin = client_for(world.user("admin"))
    published = admin.get(reverse("admin:charter_charterversion_change", args=[v1.pk]))
    assert published.status_code == 200 and b'name="preamble_fr"' not in published.content
    assert admin.get(reverse("admin:charter_charterversion_delete", args=[v1.pk])).status_code == 403
    draft = draft_create(by=officer, region=v1.region)
    editable = admin.get(reverse("admin:charter_charterversion_change", args=[draft.pk]))
    assert b'name="preamble_fr"' in editable.content
