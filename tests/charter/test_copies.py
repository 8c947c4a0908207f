"""The signed copy as PDF: built by a worker with WeasyPrint, its text extractable; the signature stands whatever
happens to its copy, which is retried until built."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from charter import copies
from charter.copies import copy_build, copy_sweep
from charter.models import SignatureCopy
from charter.services import signature_validate
from core.pdf import weasyprint_available
from tests.charter.factories import sign
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature(world, representative, v1):
    return sign(world.prescriber, representative, signatory_name="Nadia Roux")


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_copy_holds_the_text_the_signatory_the_digest_and_the_code(world, client_for, signature, officer):
    require_service(*weasyprint_available())
    signature_validate(signature=signature, by=officer)
    for copy in SignatureCopy.objects.filter(signature=signature):
        assert copy_build(copy.pk)
    response = client_for(world.user("legal_representative")).get(
        reverse("charter:signature_download", args=[signature.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.search(
        r'filename="charte-v1-mission-locale-des-hauts-de-garonne-\d{4}-\d{2}-\d{2}\.pdf"',
        response["Content-Disposition"],
    )
    content = b"".join(response.streaming_content)
    text = re.sub(r"\s+", " ", pdf_text(content))
    assert "Charte des bonnes pratiques" in text
    assert "RÉACTIVITÉ" in text and "PROXIMITÉ" in text
    assert "Mission Locale des Hauts de Garonne" in text
    assert "Nadia Roux, Directrice" in text
    assert "Validée le" in text and world.funder.name in text
    # The digest may be broken over lines by the layout: compare without spaces.
    assert signature.digest in text.replace(" ", "")
    assert signature.formatted_code in text
    assert f"/charte/verifier/{signature.code}" in text.replace(" ", "")


def test_the_pdf_context_is_read_in_a_constant_number_of_queries(signature, django_assert_max_num_queries):
    copy = SignatureCopy.objects.select_related("signature__version", "signature__organisation").get(
        signature=signature
    )
    with django_assert_max_num_queries(3):
        context = copies.copy_pdf_context(copy)
    assert len(context["commitments"]) == 10


def test_a_failed_build_stays_in_preparation_and_is_retried(world, client_for, signature, monkeypatch):
    copy = SignatureCopy.objects.get(signature=signature)

    def broken(copy):
        raise OSError("no space left on device")

    monkeypatch.setattr(copies, "_render", broken)
    with pytest.raises(OSError):
        copy_build(copy.pk)
    copy.refresh_from_db()
    assert copy.status == SignatureCopy.Status.PENDING and "no space left" in copy.error
    page = client_for(world.user("legal_representative")).get(signature.get_absolute_url()).content.decode()
    assert "Copie en préparation" in page and "nouvelle est programmée" in page
    # The signature stands; the download waits for a copy.
    assert (
        client_for(world.user("legal_representative"))
        .get(reverse("charter:signature_download", args=[signature.pk]))
        .status_code
        == 404
    )
    monkeypatch.setattr(copies, "_render", lambda copy: b"%PDF-1.4 rebuilt")
    SignatureCopy.objects.filter(pk=copy.pk).update(requested_at=copy.requested_at.replace(year=2020))
    assert copy_sweep() == 1
    copy.refresh_from_db()
    assert copy.status == SignatureCopy.Status.READY and copy.error == ""


def test_a_copy_is_built_once(signature, monkeypatch):
    monkeypatch.setattr(copies, "_render", lambda copy: b"%PDF-1.4 built")
    copy = SignatureCopy.objects.get(signature=signature)
    assert copy_build(copy.pk) is True
    assert copy_build(copy.pk) is False


def test_the_signature_page_polls_while_the_copy_is_prepared(world, client_for, signature):
    client = client_for(world.user("legal_representative"))
    page = client.get(signature.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 3s"' in page
    fragment = client.get(signature.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="signature-copy"')
