"""Skills attestations (portefeuille de compétences): after a rupture, the referent or the training body asks for a
PDF of what the person achieved; a worker builds it; those who see the rupture download it.

The world's stage (Zoé MARTIN at INSUP Cenon, in a session held every day) started 20 days ago; the rupture is
declared 2 days ago, for a health reason with a private comment that must never reach the attestation.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLog
from attendance.models import Mark, Slot
from core.pdf import weasyprint_available
from pathways.models import Organisation
from ruptures import attestations as attestations_module
from ruptures.attestations import (
    AttestationForm,
    attended_hours,
    attestation_build,
    attestation_context,
    attestation_request,
    attestation_sweep,
    can_issue,
)
from ruptures.models import Rupture, SkillsAttestation
from ruptures.services import rupture_declare
from ruptures.tasks import build_attestation_task, sweep_attestations_task
from tests.conftest import require_service

SKILLS = """Module 1 — Hygiène et sécurité en cuisine

- Réaliser les préparations préliminaires
• Cuire des légumes à la vapeur
"""
SKILL_LINES = [
    "Module 1 — Hygiène et sécurité en cuisine",
    "Réaliser les préparations préliminaires",
    "Cuire des légumes à la vapeur",
]
COMMENT = "Hospitalisation de longue durée, dossier médical confidentiel."
FAKE_PDF = b"%PDF-1.7 fake attestation"


def fmt(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


@pytest.fixture
def rupture(world):
    Organisation.objects.filter(pk=world.training_body.pk).update(
        siret="73282932000074", address="12 rue Jean Jaurès, 33150 Cenon"
    )
    return rupture_declare(
        stage=world.stage,
        by=world.user("trainer"),
        kind=Rupture.Kind.ABANDON,
        main_cause="conditions.health",
        causes=["conditions.transport"],
        identified_by=Rupture.IdentifiedBy.TRAINER,
        occurred_on=world.today - datetime.timedelta(days=2),
        comment=COMMENT,
        no_reminder_reason="Injoignable depuis dix jours.",
    )


@pytest.fixture
def marked(world, rupture):
    """Three half-days attended (two present, one late) before the rupture, and marks that must not count: an
    absence, a cancelled half-day, a half-day after the rupture. 3 × 3.5 h = 10.5 h."""
    stage = world.stage
    slots = list(
        Slot.objects.filter(session=world.session, date__gte=stage.actual_start, date__lte=rupture.occurred_on)
    )
    days = sorted({slot.date for slot in slots})
    by_day = {(slot.date, slot.period): slot for slot in slots}
    first, second, third = days[:3]
    S = Mark.Status
    marks = [
        (by_day[(first, "am")], S.PRESENT),
        (by_day[(first, "pm")], S.PRESENT),
        (by_day[(second, "am")], S.LATE),
        (by_day[(second, "pm")], S.ABSENT_UNJUSTIFIED),
        (by_day[(third, "am")], S.PRESENT),
    ]
    later = Slot.objects.filter(session=world.session, date__gt=rupture.occurred_on, date__lte=world.today).first()
    if later is not None:
        marks.append((later, S.PRESENT))
    Mark.objects.bulk_create(Mark(slot=slot, stage=stage, status=status) for slot, status in marks)
    Slot.objects.filter(pk=by_day[(third, "am")].pk).update(cancelled=True, cancel_reason="Grève")
    return marks


@pytest.fixture
def fake_pdf(monkeypatch):
    """Render without WeasyPrint (for the outbox and the permissions); records what was rendered."""
    rendered = []

    def render(template_name, context):
        rendered.append(context)
        return FAKE_PDF

    monkeypatch.setattr(attestations_module, "render_pdf", render)
    return rendered


def request_url(rupture):
    return reverse("ruptures:attestation_request", args=[rupture.alert.pk])


def download_url(attestation):
    return reverse("ruptures:attestation_download", args=[attestation.pk])


def ready(rupture, by):
    """A ready attestation whose file is stored without rendering."""
    attestation = SkillsAttestation.objects.create(rupture=rupture, skills="Module 1", requested_by=by)
    attestation.file.save(f"attestation-competences-{attestation.pk}.pdf", ContentFile(FAKE_PDF), save=False)
    attestation.status = SkillsAttestation.Status.READY
    attestation.finished_at = timezone.now()
    attestation.save()
    return attestation


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------------------------------------------
# The document


def test_hours_attended_count_present_and_late_half_days_of_the_stage_until_the_rupture(world, rupture, marked):
    assert attended_hours(world.stage, rupture.occurred_on) == (Decimal("10.50"), 3)


def test_the_pdf_says_what_was_achieved_and_nothing_of_why_it_ended(world, rupture, marked):
    require_service(*weasyprint_available())
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    assert attestation_build(attestation.pk) is True

    attestation.refresh_from_db()
    assert attestation.status == SkillsAttestation.Status.READY
    assert attestation.file.name.startswith("attestations/")
    assert "martin" not in attestation.file.name.lower()  # no name in the stored file's path
    with attestation.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Attestation de compétences" in text
    assert "Zoé MARTIN" in text
    assert f"Née ou né le {fmt(world.beneficiary.birth_date)}" in text
    assert "INSUP Cenon" in text and "732 829 320 00074" in text and "12 rue Jean Jaurès, 33150 Cenon" in text
    assert "Titre pro ADVF" in text and "HSP premier niveau de qualification" in text
    assert f"du {fmt(world.stage.actual_start)} au {fmt(rupture.occurred_on)}" in text
    assert "10,50 h (3 demi-journées de présence)" in text
    for line in SKILL_LINES:
        assert line in text
    assert "n'indique pas pourquoi la formation s'est arrêtée" in text.replace("’", "'")
    assert f"le {fmt(timezone.localdate())}" in text  # issued today
    assert "Cachet et signature de l'organisme" in text.replace("’", "'")
    # Nothing of the rupture but its date: not its kind, causes or comment.
    for secret in (COMMENT, "Hospitalisation", "Santé", "Transport", "Abandon", "abandon", "Injoignable"):
        assert secret not in text, secret


def test_a_stage_without_attendance_says_the_hours_are_not_recorded(world, rupture, fake_pdf):
    world.stage.enrolment.delete()
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills="Module 1")

    assert attestation_build(attestation.pk) is True

    [context] = fake_pdf
    assert context["action"] is None and context["has_attendance"] is False
    assert context["programme"] == world.programme
    assert context["skills"] == ["Module 1"]


# --------------------------------------------------------------------------------------------------------------
# The skills entered


def test_the_form_keeps_one_skill_per_line_without_blank_lines_or_bullets():
    form = AttestationForm({"skills": SKILLS})

    assert form.is_valid()
    assert form.cleaned_data["skills"] == "\n".join(SKILL_LINES)


@pytest.mark.parametrize(
    ("skills", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("\n - \n\n", "Indiquez au moins un module ou une compétence"),
        ("\n".join(f"Compétence {n}" for n in range(61)), "Au plus 60 lignes"),
        ("x" * 301, "Une ligne dépasse 300 caractères"),
    ],
)
def test_the_form_refuses_no_skill_too_many_or_too_long(skills, message):
    form = AttestationForm({"skills": skills})

    assert not form.is_valid()
    assert message in " ".join(form.errors["skills"])


def test_sixty_lines_are_accepted():
    assert AttestationForm({"skills": "\n".join(f"Compétence {n}" for n in range(60))}).is_valid()


def test_the_service_checks_the_skills_too(world, rupture):
    with pytest.raises(ValidationError):
        attestation_request(rupture=rupture, by=world.user("trainer"), skills="  \n ")
    assert not SkillsAttestation.objects.exists()


# --------------------------------------------------------------------------------------------------------------
# The outbox: request → worker → sweeper


def test_the_build_is_enqueued_on_commit(world, rupture, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setattr(build_attestation_task, "delay", enqueued.append)

    with django_capture_on_commit_callbacks(execute=True):
        attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)
        assert enqueued == []  # not before the commit

    assert enqueued == [attestation.pk]
    assert attestation.status == SkillsAttestation.Status.PENDING
    assert attestation.skills == "\n".join(SKILL_LINES)
    assert attestation.requested_by == world.user("trainer")


def test_a_double_click_asks_for_one_attestation(world, rupture):
    first = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)
    second = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    assert first == second
    assert SkillsAttestation.objects.count() == 1


def test_building_twice_builds_once(world, rupture, fake_pdf):
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    assert attestation_build(attestation.pk) is True
    file_name = SkillsAttestation.objects.get().file.name
    assert attestation_build(attestation.pk) is False
    assert build_attestation_task.run(attestation.pk) is False

    assert len(fake_pdf) == 1
    assert SkillsAttestation.objects.get().file.name == file_name


def test_a_claimed_attestation_is_left_to_its_worker_until_the_lease_ends(world, rupture, fake_pdf, settings):
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)
    SkillsAttestation.objects.filter(pk=attestation.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )

    assert attestation_build(attestation.pk) is False
    assert fake_pdf == []
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6), tick=False):
        assert attestation_build(attestation.pk) is True


def test_a_failed_build_is_recorded(world, rupture, monkeypatch, client_for):
    def broken(template_name, context):
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(attestations_module, "render_pdf", broken)
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    assert attestation_build(attestation.pk) is False

    attestation.refresh_from_db()
    assert attestation.status == SkillsAttestation.Status.FAILED
    assert "RuntimeError: the printer is on fire" in attestation.error
    assert attestation.finished_at is not None and attestation.claimed_until is None
    assert not attestation.file
    assert attestation_build(attestation.pk) is False  # not retried
    assert client_for(world.user("trainer")).get(download_url(attestation)).status_code == 404


def test_a_database_error_is_raised_for_the_task_to_retry(world, rupture, monkeypatch):
    def database_down(attestation):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(attestations_module, "_render", database_down)
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    with pytest.raises(DatabaseError):
        attestation_build(attestation.pk)

    attestation.refresh_from_db()
    assert attestation.status == SkillsAttestation.Status.PENDING  # the sweeper takes it once the lease ends
    assert attestation.claimed_until is not None


def test_a_broker_outage_leaves_the_attestation_to_the_sweeper(
    world, rupture, fake_pdf, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(attestation_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(build_attestation_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)

    attestation.refresh_from_db()
    assert attestation.status == SkillsAttestation.Status.PENDING
    assert "the sweeper will build it" in caplog.text

    assert attestation_sweep(now=attestation.requested_at + datetime.timedelta(minutes=1)) == 0  # too early
    assert SkillsAttestation.objects.get().status == SkillsAttestation.Status.PENDING
    with time_machine.travel(attestation.requested_at + datetime.timedelta(minutes=3), tick=False):
        assert sweep_attestations_task.run() == 1
    assert SkillsAttestation.objects.get().status == SkillsAttestation.Status.READY


def test_the_sweeper_runs_on_beat(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["ruptures-sweep-attestations"]
    assert schedule["task"] == "ruptures.tasks.sweep_attestations_task"


# --------------------------------------------------------------------------------------------------------------
# Who may ask for and download an attestation


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "org_manager", "prescriber_adviser"])
def test_the_training_body_staff_and_the_referent_may_issue(world, rupture, role):
    assert can_issue(world.user(role), rupture)


@pytest.mark.parametrize("role", ["legal_representative", "facilitator", "dpo", "outsider", "regional_officer"])
def test_others_may_not_issue(world, rupture, role):
    assert not can_issue(world.user(role), rupture)


@pytest.mark.parametrize("role", ["trainer", "prescriber_adviser"])
def test_requesting_from_the_alert_page(world, rupture, client_for, role, django_capture_on_commit_callbacks):
    client = client_for(world.user(role))

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(request_url(rupture), {"skills": SKILLS})

    assert response.status_code == 302
    assert response.url == rupture.alert.get_absolute_url() + "#attestations"
    attestation = SkillsAttestation.objects.get()
    assert (attestation.rupture, attestation.requested_by) == (rupture, world.user(role))
    assert len(callbacks) == 1
    log = AccessLog.objects.get(user=world.user(role))
    assert (log.beneficiary, log.action) == (world.beneficiary, AccessLog.Action.CHANGE)


def test_an_empty_request_is_refused_with_a_message(world, rupture, client_for):
    client = client_for(world.user("trainer"))

    response = client.post(request_url(rupture), {"skills": "  "}, follow=False)

    assert response.status_code == 302
    assert not SkillsAttestation.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Ce champ est obligatoire."]


def test_the_prescribers_manager_may_download_but_not_request(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))
    client = client_for(world.user("legal_representative"))

    assert client.post(request_url(rupture), {"skills": SKILLS}).status_code == 403
    assert SkillsAttestation.objects.count() == 1
    response = client.get(download_url(attestation))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF


def test_an_outsider_gets_404_on_both(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))
    client = client_for(world.user("outsider"))

    assert client.post(request_url(rupture), {"skills": SKILLS}).status_code == 404
    assert client.get(download_url(attestation)).status_code == 404
    assert SkillsAttestation.objects.count() == 1


def test_a_regional_officer_told_of_the_alert_does_not_reach_the_attestation(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))
    client = client_for(world.user("regional_officer"))

    assert client.post(request_url(rupture), {"skills": SKILLS}).status_code == 404
    assert client.get(download_url(attestation)).status_code == 404


def test_anonymous_is_sent_to_login(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))
    client = client_for(None)

    for response in (client.post(request_url(rupture), {"skills": SKILLS}), client.get(download_url(attestation))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert SkillsAttestation.objects.count() == 1


def test_the_request_is_post_only_and_the_download_get_only(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))
    client = client_for(world.user("trainer"))

    assert client.get(request_url(rupture)).status_code == 405
    assert client.post(download_url(attestation)).status_code == 405


def test_a_pending_or_unknown_attestation_cannot_be_downloaded(world, rupture, client_for):
    attestation = attestation_request(rupture=rupture, by=world.user("trainer"), skills=SKILLS)
    client = client_for(world.user("trainer"))

    assert client.get(download_url(attestation)).status_code == 404
    assert client.get(reverse("ruptures:attestation_download", args=[attestation.pk + 100])).status_code == 404


def test_requesting_building_and_downloading_the_pdf(world, rupture, marked, client_for):
    require_service(*weasyprint_available())
    client = client_for(world.user("trainer"))
    client.post(request_url(rupture), {"skills": SKILLS})
    attestation = SkillsAttestation.objects.get()

    assert build_attestation_task.run(attestation.pk) is True

    response = client_for(world.user("legal_representative")).get(download_url(attestation))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="attestation-competences-martin-zoe-{timezone.localdate().isoformat()}.pdf"'
        in response["Content-Disposition"]
    )
    text = pdf_text(b"".join(response.streaming_content))
    assert "Zoé MARTIN" in text and "10,50 h" in text and SKILL_LINES[-1] in text
    log = AccessLog.objects.get(user=world.user("legal_representative"))
    assert (log.beneficiary, log.action) == (world.beneficiary, AccessLog.Action.READ)


# --------------------------------------------------------------------------------------------------------------
# The block on the alert page


def page_block(world, rupture, role):
    request = RequestFactory().get(rupture.alert.get_absolute_url())
    request.user = world.user(role)
    context = attestation_context(request, rupture)
    return context, render_to_string(
        "ruptures/includes/attestations.html", {"alert": rupture.alert, **context}, request=request
    )


def test_the_block_lists_attestations_newest_first_with_the_form_for_those_who_may_issue(world, rupture, fake_pdf):
    older = ready(rupture, world.user("trainer"))
    failed = SkillsAttestation.objects.create(
        rupture=rupture, skills="Module 2", requested_by=world.user("trainer"), status="failed", error="boom"
    )
    pending = attestation_request(rupture=rupture, by=world.user("prescriber_adviser"), skills="Module 3")

    context, html = page_block(world, rupture, "trainer")

    assert [a.pk for a in context["attestations"]] == [pending.pk, failed.pk, older.pk]
    assert context["can_issue_attestation"] and context["attestation_pending"]
    assert html.count(download_url(older)) == 1
    assert download_url(failed) not in html and download_url(pending) not in html
    assert "En préparation" in html and "Échec" in html and "Disponible" in html
    assert f'action="{request_url(rupture)}"' in html
    assert "Actualiser" in html


def test_the_block_has_no_form_for_those_who_only_download(world, rupture):
    attestation = ready(rupture, world.user("trainer"))

    context, html = page_block(world, rupture, "legal_representative")

    assert not context["can_issue_attestation"]
    assert download_url(attestation) in html
    assert request_url(rupture) not in html
    assert "Actualiser" not in html


def test_the_block_is_hidden_from_those_who_do_not_see_the_rupture(world, rupture):
    ready(rupture, world.user("trainer"))

    context, html = page_block(world, rupture, "regional_officer")

    assert context["attestations"] == [] and not context["can_issue_attestation"]
    assert html.strip() == ""


def test_the_block_says_when_there_is_none_yet(world, rupture):
    _, html = page_block(world, rupture, "prescriber_adviser")

    assert "Aucune attestation n'a encore été demandée." in html.replace("&#x27;", "'")
    assert f'action="{request_url(rupture)}"' in html


def test_the_alert_page_carries_the_block(world, rupture, client_for):
    attestation = ready(rupture, world.user("trainer"))

    page = client_for(world.user("trainer")).get(rupture.alert.get_absolute_url()).content.decode()
    assert 'id="attestations"' in page
    assert download_url(attestation) in page and f'action="{request_url(rupture)}"' in page

    page = client_for(world.user("regional_officer")).get(rupture.alert.get_absolute_url()).content.decode()
    assert 'id="attestations"' not in page and download_url(attestation) not in page
