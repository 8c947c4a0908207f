"""Signing the charter for an organisation: the legal representative reads the text, consents, types their name
and function; the signature records the version, the digest of the exact French text, and never changes."""

import hashlib
import html
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from charter import services
from charter.models import Signature, SignatureCopy
from tests.charter.factories import publish_new_version, sign

pytestmark = pytest.mark.django_db


def signing_url(world):
    return reverse("charter:sign", args=[world.prescriber.pk])


def shown_text(page: str) -> str:
    """The exact text the signing page shows in its <pre>, as a browser would read it."""
    block = re.search(r'<pre class="charter-signed-text" lang="fr" id="signed-text">(.*?)</pre>', page, re.S)
    return html.unescape(block.group(1))


def post_signature(client, world, page, **overrides):
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    data = {
        "signatory_name": "Nadia Roux",
        "signatory_function": "Directrice",
        "consent": "on",
        "version": "1",
        "digest": digest,
    }
    data.update(overrides)
    return client.post(signing_url(world), data)


def test_the_legal_representative_signs_and_the_digest_is_the_hash_of_the_text_shown(
    world, client_for, representative, v1, django_capture_on_commit_callbacks
):
    client = client_for(representative)
    page = client.get(signing_url(world)).content.decode()
    text = shown_text(page)
    assert text == v1.signed_text()
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_signature(client, world, page)
    signature = Signature.objects.get(organisation=world.prescriber)
    assert response.status_code == 302 and response.url == signature.get_absolute_url()
    assert signature.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert signature.signed_text == text
    assert (signature.version, signature.signed_by) == (v1, representative)
    assert (signature.signatory_name, signature.signatory_function, signature.consent) == (
        "Nadia Roux",
        "Directrice",
        True,
    )
    assert signature.status == Signature.Status.PENDING and signature.is_valid()
    assert len(signature.code) == 10
    # In the same transaction: the audit entry and the request of the PDF copy (enqueued on commit).
    assert LogEntry.objects.get_for_object(signature).filter(action=LogEntry.Action.CREATE).exists()
    assert SignatureCopy.objects.filter(signature=signature, status=SignatureCopy.Status.PENDING).count() == 1
    assert len(callbacks) == 1
    detail = client.get(response.url).content.decode()
    assert "Copie en préparation" in detail and signature.digest in detail


def test_signing_twice_says_so_and_does_not_duplicate(world, client_for, representative, v1):
    client = client_for(representative)
    page = client.get(signing_url(world)).content.decode()
    post_signature(client, world, page)
    response = post_signature(client, world, page)
    assert response.status_code == 302  # the signing page sends to the existing signature, saying so
    follow = client.get(signing_url(world), follow=True).content.decode()
    assert "a déjà signé la version 1 de la charte" in follow
    assert Signature.objects.filter(organisation=world.prescriber).count() == 1
    with pytest.raises(ValidationError, match="a déjà signé la version 1"):
        sign(world.prescriber, representative)


def test_the_database_holds_one_signature_per_organisation_and_version(world, representative, v1):
    signature = sign(world.prescriber, representative)
    duplicate = Signature(
        version=v1,
        organisation=world.prescriber,
        signed_by=representative,
        signatory_name="X",
        signatory_function="Y",
        consent=True,
        signed_text=signature.signed_text,
        digest=signature.digest,
        code="ZZZZZZZZZZ",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": ""}, "consent", "Cochez la case pour engager votre structure."),
        ({"signatory_function": ""}, "signatory_function", "Ce champ est obligatoire."),
        ({"signatory_name": "  "}, "signatory_name", "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(world, client_for, representative, v1, overrides, field, message):
    client = client_for(representative)
    page = client.get(signing_url(world)).content.decode()
    response = post_signature(client, world, page, **overrides)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Signature.objects.exists()


def test_a_version_published_while_reading_is_not_signed_blindly(world, client_for, representative, officer, v1):
    client = client_for(representative)
    page = client.get(signing_url(world)).content.decode()
    publish_new_version(officer)
    response = post_signature(client, world, page)
    assert response.status_code == 200
    assert "Une nouvelle version de la charte a été publiée entre-temps" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_text_that_changed_since_it_was_read_is_not_signed(world, representative, v1):
    with pytest.raises(ValidationError, match="Le texte de la charte a changé"):
        sign(world.prescriber, representative, version=v1, digest_seen="0" * 64)
    assert not Signature.objects.exists()


def test_only_the_legal_representative_signs(world, client_for, v1):
    adviser = world.user("prescriber_adviser")
    assert client_for(adviser).get(signing_url(world)).status_code == 403
    assert client_for(adviser).post(signing_url(world), {}).status_code == 403
    assert client_for(world.user("trainer")).get(signing_url(world)).status_code == 404
    with pytest.raises(ValidationError, match="représentant·e légal·e"):
        sign(world.prescriber, adviser)
    assert not Signature.objects.exists()


def test_nothing_is_half_written_when_the_copy_request_fails(world, representative, v1, monkeypatch):
    def broken(signature):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "copy_request", broken)
    with pytest.raises(RuntimeError):
        sign(world.prescriber, representative)
    assert not Signature.objects.exists()
    assert not LogEntry.objects.filter(content_type__model="signature").exists()


def test_the_charter_page_offers_signing_to_the_representative_only(world, client_for, representative, v1):
    page = client_for(representative).get("/charte/").content.decode()
    assert signing_url(world) in page
    assert "Charte non signée" in page
    sign(world.prescriber, representative)
    page = client_for(representative).get("/charte/").content.decode()
    assert signing_url(world) not in page
    assert "Charte signée" in page
    adviser_page = client_for(world.user("prescriber_adviser")).get("/charte/").content.decode()
    assert signing_url(world) not in adviser_page
    assert "Charte signée" in adviser_page
