"""The completed checklist as PDF, built by a worker, given to the person by the training body."""

import html
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from checklist.models import Answer, ChecklistPdf
from checklist.pdf import pdf_build, pdf_sweep
from core.pdf import weasyprint_available
from tests.checklist.factories import submitted
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_the_pdf_holds_the_answers_comments_and_the_agreement(world, client_for, django_capture_on_commit_callbacks):
    require_service(*weasyprint_available())
    trainer = world.user("trainer")
    checklist, _revision = submitted(
        world.stage,
        trainer,
        answers={"housing": Answer.RISK, "health": Answer.WATCH},
        comments={"health": "Rendez-vous médical chaque mardi.", "housing": "Hébergée chez sa sœur."},
    )
    client = client_for(trainer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("checklist:pdf_request", args=[checklist.pk]))
    pdf = ChecklistPdf.objects.get()
    assert pdf.status == ChecklistPdf.Status.PENDING and len(callbacks) == 1
    assert "En préparation" in client.get(checklist.get_absolute_url()).content.decode()
    assert pdf_build(pdf.pk) is True
    response = client.get(reverse("checklist:pdf_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert re.search(r'filename="check-list-martin-zoe-\d{4}-\d{2}-\d{2}\.pdf"', response["Content-Disposition"])
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Zoé MARTIN" in text or "Zoé Martin" in text
    assert "Logement stable" in text and "À risque" in text
    assert "Rendez-vous médical chaque mardi." in text  # the person's own document
    assert "vous avez accepté que cette check-list soit partagée" in text


def test_only_the_training_body_downloads_it_and_the_sweeper_builds_what_waits(world, client_for, monkeypatch):
    from checklist import pdf as pdf_module

    checklist, revision = submitted(world.stage, world.user("trainer"))
    pdf = ChecklistPdf.objects.create(revision=revision)
    monkeypatch.setattr(pdf_module, "_render", lambda pdf: b"%PDF-1.4 built")
    ChecklistPdf.objects.filter(pk=pdf.pk).update(requested_at=pdf.requested_at.replace(year=2020))
    assert pdf_sweep() == 1
    url = reverse("checklist:pdf_download", args=[pdf.pk])
    assert client_for(world.user("prescriber_adviser")).get(url).status_code == 403
    assert client_for(world.user("outsider")).get(url).status_code == 404
    response = client_for(world.user("pedagogical_manager")).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 built"


def test_a_pdf_needs_a_submitted_checklist(world, client_for):
    from checklist.services import checklist_start
    from tests.checklist.factories import first_template

    first_template()
    checklist = checklist_start(stage=world.stage, by=world.user("trainer"))
    response = client_for(world.user("trainer")).post(
        reverse("checklist:pdf_request", args=[checklist.pk]), follow=True
    )
    assert "Transmettez d'abord la check-list" in html.unescape(response.content.decode())
    assert not ChecklistPdf.objects.exists()


def test_the_pdf_list_polls_as_a_fragment_scoped_and_not_logged_again(world, client_for):
    from accounts.models import AccessLog

    checklist, revision = submitted(world.stage, world.user("trainer"))
    ChecklistPdf.objects.create(revision=revision)
    client = client_for(world.user("trainer"))
    page = client.get(checklist.get_absolute_url()).content.decode()
    assert 'hx-trigger="every' in page and AccessLog.objects.count() == 1  # the page: a read of the person's record
    fragment = client.get(checklist.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="checklist-pdfs"') and "En préparation" in fragment
    assert AccessLog.objects.count() == 1  # its poll, every few seconds: not a new read each time
    assert (
        client_for(world.user("outsider")).get(checklist.get_absolute_url(), HTTP_HX_REQUEST="true").status_code == 404
    )
    # Those who see the checklist without filling it get no PDF list.
    adviser_fragment = client_for(world.user("prescriber_adviser")).get(
        checklist.get_absolute_url(), HTTP_HX_REQUEST="true"
    )
    assert adviser_fragment.status_code == 200 and "En préparation" not in adviser_fragment.content.decode()
