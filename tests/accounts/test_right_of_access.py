"""The right of access (issue 20): from the person's page, the referent (or a facilitator of a structure that
follows the person) produces a complete export of what the app holds about them, JSON and a readable PDF, built by
a worker, with the organisations that saw the record; facilitator notes only in the version released by their
structure."""

import io
import json
import re

import pytest
from django.urls import reverse

from accounts.models import AccessLog, RightsDocument
from accounts.rights import rights_document_build, rights_document_sweep
from core.pdf import weasyprint_available
from tests.conftest import require_service

NOTE = "Note confidentielle de l'animatrice sur Zoé"


def request_export(client, world):
    return client.post(reverse("pathways:access_export_request", args=[world.beneficiary.pk]))


def built(document):
    assert rights_document_build(document.pk)
    document.refresh_from_db()
    assert document.status == RightsDocument.Status.READY, document.error
    return document


def json_of(document) -> dict:
    with document.file.open("rb") as handle:
        return json.loads(handle.read().decode())


def pdf_text(document) -> str:
    from pypdf import PdfReader

    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def facilitator_note(world):
    """The world's support structure runs a group on Zoé's session (so its facilitator follows her) and noted a
    hotline call about her (a confidential source)."""
    from django.utils import timezone

    from speaking_groups.models import HotlineCall, SpeakingGroup

    facilitator = world.user("facilitator")
    group = SpeakingGroup.objects.create(
        support_organisation=world.support,
        training_body=world.training_body,
        name="Groupe ADVF",
        created_by=facilitator,
    )
    group.sessions.add(world.session)
    group.facilitators.add(facilitator)
    return HotlineCall.objects.create(
        support_organisation=world.support,
        group=group,
        called_at=timezone.now(),
        duration_minutes=20,
        topic="conditions",
        outcome=HotlineCall.Outcome.choices[0][0],
        stage=world.stage,
        notes=NOTE,
        logged_by=facilitator,
    )


def test_the_referent_requests_the_export_and_a_worker_builds_json_and_pdf(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.user("prescriber_adviser"))
    client.get(world.beneficiary.get_absolute_url())  # a read by the prescriber
    client_for(world.user("trainer")).get(world.pathway.get_absolute_url())  # a read by the training body
    client = client_for(world.user("prescriber_adviser"))
    with django_capture_on_commit_callbacks():
        response = request_export(client, world)
    assert response.status_code == 302
    documents = RightsDocument.objects.filter(beneficiary=world.beneficiary, kind="access")
    assert sorted(documents.values_list("format", flat=True)) == ["json", "pdf"]
    export = built(documents.get(format="json"))
    data = json_of(export)
    assert data["person"]["first_name"] == "Zoé" and data["person"]["last_name"] == "Martin"
    labels = {section["label"] for section in data["sections"]}
    assert "Identité et coordonnées" in labels and "Parcours" in labels
    saw = {row["organisation"]: row["count"] for row in data["organisations_that_saw"]}
    assert saw["INSUP Cenon"] >= 1
    assert "Mission Locale des Hauts de Garonne" in saw
    assert data["includes_facilitator_notes"] is False
    # the request was logged as a change of the person's record
    assert AccessLog.objects.filter(view_name="pathways:access_export_request", action="change").exists()


def test_the_pdf_is_readable(world, client_for):
    available, reason = weasyprint_available()
    require_service(available, reason)
    client_for(world.user("trainer")).get(world.pathway.get_absolute_url())
    request_export(client_for(world.user("prescriber_adviser")), world)
    document = built(RightsDocument.objects.get(kind="access", format="pdf"))
    text = pdf_text(document)
    assert "Zoé" in text and "Martin" in text
    assert "INSUP Cenon" in text
    assert "Identité et coordonnées" in text
    # dates written for a reader (the JSON keeps ISO 8601): day first, local time, never "2026-03-10T09:00:00+00:00"
    assert world.beneficiary.birth_date.strftime("%d/%m/%Y") in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), re.findall(r"\S*\d{4}-\d{2}-\d{2}\S*", text)[:5]


def test_facilitator_notes_are_only_in_the_version_released_by_their_structure(world, client_for):
    facilitator_note(world)
    request_export(client_for(world.user("prescriber_adviser")), world)
    referent_version = built(RightsDocument.objects.get(kind="access", format="json"))
    assert NOTE not in json.dumps(json_of(referent_version), ensure_ascii=False)
    RightsDocument.objects.all().delete()
    response = request_export(client_for(world.user("facilitator")), world)
    assert response.status_code == 302
    released = built(RightsDocument.objects.get(kind="access", format="json"))
    data = json_of(released)
    assert data["includes_facilitator_notes"] is True
    assert data["released_by"] == "Parole et Parcours"
    assert NOTE in json.dumps(data, ensure_ascii=False)


def test_a_structure_releases_its_own_notes_never_another_structures(world, client_for):
    """Two support structures noted a hotline call about Zoé: the version released by the world's structure holds
    its note and not the other's (NEUTRALITÉ: a structure's notes are its own)."""
    from django.utils import timezone

    from speaking_groups.models import HotlineCall
    from tests.pathways.factories import OrganisationFactory

    facilitator_note(world)
    other = OrganisationFactory(name="Écoute Rive Gauche", region=world.region, support=True)
    other_note = "Note d'une autre structure sur Zoé"
    HotlineCall.objects.create(
        support_organisation=other,
        called_at=timezone.now(),
        duration_minutes=10,
        topic="conditions",
        outcome=HotlineCall.Outcome.choices[0][0],
        stage=world.stage,
        notes=other_note,
    )
    request_export(client_for(world.user("facilitator")), world)
    text = json.dumps(json_of(built(RightsDocument.objects.get(kind="access", format="json"))), ensure_ascii=False)
    assert NOTE in text
    assert other_note not in text


@pytest.mark.parametrize(
    ("role", "status"), [("trainer", 403), ("outsider", 404), ("dpo", 404), ("other_adviser", 404)]
)
def test_who_may_not_request_the_export(world, adversaries, client_for, role, status):
    response = request_export(client_for(world.user(role)), world)
    assert response.status_code == status
    assert not RightsDocument.objects.exists()


def test_the_export_is_downloaded_by_its_requester_only(world, client_for):
    request_export(client_for(world.user("prescriber_adviser")), world)
    document = built(RightsDocument.objects.get(kind="access", format="json"))
    url = reverse("pathways:rights_document_download", args=[document.pk])
    response = client_for(world.user("prescriber_adviser")).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"{")
    assert client_for(world.user("legal_representative")).get(url).status_code == 404
    assert client_for(world.user("trainer")).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert client_for(world.user("prescriber_adviser")).post(url).status_code == 405


def test_the_notice_pdf_is_built_by_a_worker_in_the_language_asked_for(world, client_for):
    available, reason = weasyprint_available()
    require_service(available, reason)
    client = client_for(world.user("trainer"))
    response = client.post(reverse("pathways:notice_pdf_request", args=[world.beneficiary.pk]), {"language": "fr"})
    assert response.status_code == 302
    document = built(RightsDocument.objects.get(kind="notice"))
    text = pdf_text(document)
    assert "Vos données personnelles dans Sans Rupture" in text and "INSUP Cenon" in text
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert reverse("pathways:rights_document_download", args=[document.pk]) in page


def test_the_sweeper_builds_what_the_broker_lost(world, client_for, settings):
    import datetime

    from django.utils import timezone

    request_export(client_for(world.user("prescriber_adviser")), world)
    RightsDocument.objects.update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    assert rights_document_sweep() == 2
    assert set(RightsDocument.objects.values_list("status", flat=True)) == {"ready"}
