"""Skills attestations (portefeuille de compétences, seeds 002 and 004): after a rupture, the referent or the training
body issues a PDF of what the person achieved (stage, dates, hours attended, modules and skills validated).

The attestation records what was achieved, never why the training ended: it shows neither the rupture's kind nor
its causes nor its comment. Same outbox as the attendance statements (`attendance.statements`): the request is a
`SkillsAttestation` row committed with its enqueueing, a worker claims it for a lease and renders the PDF outside any
transaction, the sweeper builds what the broker or a lost worker left pending.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import Mark
from core.documents import document_build, document_enqueue, document_sweep
from core.pdf import render_pdf
from pathways import scoping
from pathways.validators import format_siret
from ruptures.models import SKILLS_MAX_LENGTH, Rupture, SkillsAttestation

PDF_TEMPLATE = "ruptures/pdf/attestation.html"
MAX_SKILLS = 60
MAX_SKILL_LENGTH = 300
HUNDREDTH = Decimal("0.01")
# Bullets people paste from a word processor in front of each line; the PDF draws its own.
BULLETS = "-–—•*·▪◦ \t"


# --------------------------------------------------------------------------------------------------------------
# Who may issue, and the skills entered


def can_issue(user, rupture: Rupture) -> bool:
    """The pathway's referent, or the staff (trainer, pedagogical or organisation manager) of the stage's
    organisation. Everyone else who sees the rupture may only download the attestations."""
    if not scoping.active_memberships(user):
        return False
    stage = rupture.stage
    return stage.pathway.referent_id == user.pk or stage.organisation_id in scoping.org_ids(
        user, roles=scoping.STAGE_STAFF_ROLES
    )


def skill_lines(text: str) -> list[str]:
    """The skills as entered, one per line: blank lines dropped, pasted bullets and surrounding spaces removed."""
    lines = (line.strip().lstrip(BULLETS).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def check_skills(text: str) -> list[str]:
    MaxLengthValidator(SKILLS_MAX_LENGTH)(text or "")
    lines = skill_lines(text)
    if not lines:
        raise ValidationError(_("Indiquez au moins un module ou une compétence validé·e."), code="required")
    if len(lines) > MAX_SKILLS:
        raise ValidationError(
            _("Au plus %(max)s lignes : regroupez les compétences d'un même module.") % {"max": MAX_SKILLS},
            code="max_lines",
        )
    too_long = next((line for line in lines if len(line) > MAX_SKILL_LENGTH), None)
    if too_long is not None:
        raise ValidationError(
            _("Une ligne dépasse %(max)s caractères : « %(start)s… ». Une compétence par ligne.")
            % {"max": MAX_SKILL_LENGTH, "start": too_long[:40]},
            code="max_length",
        )
    return lines


class AttestationForm(forms.Form):
    skills = forms.CharField(
        label=gettext_lazy("Modules et compétences validés"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=SKILLS_MAX_LENGTH,
        help_text=gettext_lazy(
            "Un par ligne (60 au plus), tels que l'organisme de formation les a validés. "
            "N'indiquez ni la raison de l'arrêt ni aucune information de santé."
        ),
    )

    def clean_skills(self):
        return "\n".join(check_skills(self.cleaned_data["skills"]))


# --------------------------------------------------------------------------------------------------------------
# The outbox: request (web), build (worker), sweep (beat)


@transaction.atomic
def attestation_request(*, rupture: Rupture, by, skills: str) -> SkillsAttestation:
    """Record an attestation request and have a worker build it once committed. The same request still pending
    (a double click) is returned rather than queued twice."""
    text = "\n".join(check_skills(skills))
    pending = SkillsAttestation.objects.filter(
        rupture=rupture, skills=text, status=SkillsAttestation.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    attestation = SkillsAttestation.objects.create(rupture=rupture, skills=text, requested_by=by)
    document_enqueue("ruptures.tasks.build_attestation_task", attestation.pk)
    return attestation


def attended_hours(stage, until: datetime.date) -> tuple[Decimal, int]:
    """Hours attended (present or late) in the stage's session from its start to `until`, and their half-days;
    cancelled half-days left out. One query."""
    seconds, half_days = 0, 0
    marks = Mark.objects.filter(
        stage=stage,
        status__in=Mark.ATTENDED,
        slot__cancelled=False,
        slot__date__gte=stage.start,
        slot__date__lte=until,
    ).values_list("slot__date", "slot__starts_at", "slot__ends_at")
    for day, starts_at, ends_at in marks:
        start = datetime.datetime.combine(day, starts_at)
        end = datetime.datetime.combine(day, ends_at)
        seconds += int((end - start).total_seconds())
        half_days += 1
    hours = (Decimal(seconds) / Decimal(3600)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    return hours, half_days


def attestation_pdf_context(attestation: SkillsAttestation) -> dict:
    """What the PDF shows. Nothing of the rupture but its date: no kind, no cause, no comment."""
    rupture = attestation.rupture
    stage = rupture.stage
    enrolment = getattr(stage, "enrolment", None)
    session = enrolment.session if enrolment else None
    action = session.training_action if session else None
    body = stage.organisation
    hours, half_days = attended_hours(stage, rupture.occurred_on)
    return {
        "attestation": attestation,
        "person": stage.pathway.beneficiary,
        "stage": stage,
        "body": body,
        "siret": format_siret(body.siret),
        "action": action,
        "session": session,
        "programme": stage.programme or (action.programme if action else None),
        "start": stage.start,
        "end": rupture.occurred_on,
        "hours": hours,
        "half_days": half_days,
        "has_attendance": session is not None,
        "skills": skill_lines(attestation.skills),
        "issued_on": timezone.localdate(),
    }


def _render(attestation: SkillsAttestation) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(PDF_TEMPLATE, attestation_pdf_context(attestation))


def attestation_build(attestation_id: int) -> bool:
    """Build one attestation and store its PDF; False when there is nothing to do (already built, failed or taken).
    Claimed, rendered and stored as every document built by a worker (`core.documents`)."""
    return document_build(
        SkillsAttestation,
        attestation_id,
        related=(
            "rupture__stage__pathway__beneficiary",
            "rupture__stage__organisation",
            "rupture__stage__programme",
            "rupture__stage__enrolment__session__training_action__programme",
        ),
        render=_render,
        filename=lambda attestation: f"attestation-competences-{attestation.pk}.pdf",
    )


def attestation_sweep(*, now: datetime.datetime | None = None) -> int:
    """Build the attestations still pending a while after their request (broker down, worker lost). Returns how
    many were built; one failing attestation does not stop the others."""
    return document_sweep(SkillsAttestation, attestation_build, now=now)


# --------------------------------------------------------------------------------------------------------------
# Download and the alert page


def attestation_filename(attestation: SkillsAttestation) -> str:
    """attestation-competences-martin-zoe-2026-11-30.pdf (the day it was issued)."""
    person = attestation.rupture.stage.pathway.beneficiary
    issued = timezone.localtime(attestation.finished_at or attestation.requested_at).date()
    name = slugify(f"{person.last_name} {person.first_name}")
    return "-".join(part for part in ("attestation-competences", name, issued.isoformat()) if part) + ".pdf"


def attestation_context(request, rupture: Rupture) -> dict:
    """What the alert page's attestation block (`ruptures/includes/attestations.html`) needs.

    The alert page is also open to people the alert was sent to without seeing the pathway (a funder's regional
    officer): they are not shown the attestations, which name the person and only open to those who see them.
    """
    user = request.user
    visible = Rupture.objects.for_user(user).filter(pk=rupture.pk).exists()
    attestations = (
        list(
            SkillsAttestation.objects.filter(rupture=rupture)
            .select_related("requested_by")
            .order_by("-requested_at", "-pk")
        )
        if visible
        else []
    )
    return {
        "attestations": attestations,
        "attestation_form": AttestationForm(),
        "can_issue_attestation": visible and can_issue(user, rupture),
        "attestations_visible": visible,
        "attestation_pending": any(a.status == SkillsAttestation.Status.PENDING for a in attestations),
    }
