"""Every free text has a maximum length (issue 15, leak 8): its form shows it (`maxlength`), and a longer text is
refused on its own field, with what was typed kept and nothing written; a service taking the text directly refuses it
too. The alerts' note is the lead's (the `alerts` app)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attendance.models import Drift, FollowUpAttempt, Slot
from charter.models import CharterVersion, SignatureEvent
from checklist.models import ChecklistAnswer
from core.text import COMMENT_MAX_LENGTH, DOCUMENT_MAX_LENGTH, REASON_MAX_LENGTH
from pathways.models import JoinRequest, Pathway, StageTransition
from pathways.services.people import JOIN_TOKEN_SALT
from ruptures.models import Rupture
from tests.test_authorization_matrix import charter_draft, charter_signature, world_checklist


def too_long(limit: int) -> str:
    """A text one character too long (its ends are no spaces, which a form strips), recognisable in a page."""
    return ("Trop long. " * (limit // 10 + 1))[:limit] + "!"


def presumed(world):
    Drift.objects.filter(pk=world.drift.pk).update(status=Drift.Status.PRESUMED, presumed_at=timezone.now())
    return world.drift


def join_token(world):
    user = world.user("outsider")
    from pathways.models import Membership

    Membership.objects.filter(user=user).update(role=Membership.Role.PEDAGOGICAL_MANAGER)
    return signing.dumps(
        {"p": world.pathway.pk, "u": user.pk, "o": world.other_training_body.pk, "n": "Zoé MARTIN"},
        salt=JOIN_TOKEN_SALT,
        compress=True,
    )


def first_section(world):
    checklist = world_checklist(world)
    section = checklist.template.sections.order_by("position").first()
    return checklist, section, section.items.order_by("position").first()


@dataclass
class Case:
    role: str
    url: object  # world → the URL the form posts to
    data: object  # world → the valid data but the text
    field: str
    limit: int
    context: str  # the form in the page's context
    written: object  # world → what a valid post would write (counted)
    page: object = None  # world → the page showing the form, when another than `url`
    posted_as: str = ""  # the field's name in the post, when prefixed


TODAY = datetime.date.today


CASES = {
    "a reminder's comment": Case(
        "trainer",
        lambda w: reverse("attendance:follow_up_create", args=[w.drift.pk]),
        lambda w: {"channel": FollowUpAttempt.Channel.values[0], "outcome": "no_answer"},
        "comment",
        REASON_MAX_LENGTH,
        "follow_up_form",
        lambda w: FollowUpAttempt.objects.count(),
        page=lambda w: reverse("attendance:drift_detail", args=[w.drift.pk]),
    ),
    "why a presumed rupture is dismissed": Case(
        "trainer",
        lambda w: reverse("attendance:drift_decide", args=[presumed(w).pk]),
        lambda w: {"decision": "dismiss"},
        "note",
        REASON_MAX_LENGTH,
        "decision_form",
        lambda w: Drift.objects.filter(status=Drift.Status.CLOSED).count(),
        page=lambda w: reverse("attendance:drift_detail", args=[presumed(w).pk]),
    ),
    "why a half-day is cancelled": Case(
        "trainer",
        lambda w: reverse("attendance:slot_cancel", args=[w.slot.pk]),
        lambda w: {},
        "reason",
        Slot._meta.get_field("cancel_reason").max_length,
        "cancel_form",
        lambda w: Slot.objects.filter(cancelled=True).count(),
        page=lambda w: f"{reverse('attendance:calendar', args=[w.session.pk])}?mois={w.slot.date:%Y-%m}",
    ),
    "why a pathway is closed": Case(
        "prescriber_adviser",
        lambda w: reverse("pathways:pathway_close", args=[w.pathway.pk]),
        lambda w: {},
        "reason",
        REASON_MAX_LENGTH,
        "form",
        lambda w: Pathway.objects.filter(status=Pathway.Status.CLOSED).count(),
    ),
    "why a stage is suspended": Case(
        "trainer",
        lambda w: reverse("pathways:stage_suspend", args=[w.stage.pk]),
        lambda w: {"date": TODAY().isoformat(), "planned_resume": (TODAY() + datetime.timedelta(days=30)).isoformat()},
        "reason",
        REASON_MAX_LENGTH,
        "form",
        lambda w: StageTransition.objects.count(),
    ),
    "why a stage ends": Case(
        "trainer",
        lambda w: reverse("pathways:stage_exit", args=[w.stage.pk]),
        lambda w: {"status": "abandoned", "date": TODAY().isoformat()},
        "reason",
        REASON_MAX_LENGTH,
        "form",
        lambda w: StageTransition.objects.count(),
    ),
    "the answer to a join request": Case(
        "prescriber_adviser",
        lambda w: reverse("pathways:join_request_decide", args=[w.join_request.pk]),
        lambda w: {"decision": "refuse"},
        "comment",
        REASON_MAX_LENGTH,
        "refused_form",
        lambda w: JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING).count(),
        page=lambda w: reverse("pathways:join_request_list"),
    ),
    "the message of a join request": Case(
        "outsider",
        lambda w: reverse("pathways:join_request_create"),
        lambda w: {"token": join_token(w)},
        "message",
        COMMENT_MAX_LENGTH,
        "form",
        lambda w: JoinRequest.objects.count(),
        page=lambda w: None,
    ),
    "a rupture's comment": Case(
        "trainer",
        lambda w: reverse("ruptures:rupture_create", args=[w.stage.pk]),
        lambda w: {
            "kind": "abandon",
            "occurred_on": TODAY().isoformat(),
            "main_cause": "conditions.transport",
            "identified_by": "trainer",
            "no_reminder_reason": "Injoignable.",
        },
        "comment",
        COMMENT_MAX_LENGTH,
        "form",
        lambda w: Rupture.objects.count(),
    ),
    "why a rupture had no reminder": Case(
        "trainer",
        lambda w: reverse("ruptures:rupture_create", args=[w.stage.pk]),
        lambda w: {
            "kind": "abandon",
            "occurred_on": TODAY().isoformat(),
            "main_cause": "conditions.transport",
            "identified_by": "trainer",
        },
        "no_reminder_reason",
        REASON_MAX_LENGTH,
        "form",
        lambda w: Rupture.objects.count(),
    ),
    "a checklist comment": Case(
        "trainer",
        lambda w: reverse("checklist:section_save", args=[first_section(w)[0].pk, first_section(w)[1].pk]),
        lambda w: {f"{first_section(w)[2].code}-answer": "risk"},
        "comment",
        COMMENT_MAX_LENGTH,
        "form",
        lambda w: ChecklistAnswer.objects.filter(answer="risk").count(),
        page=lambda w: reverse("checklist:edit", args=[first_section(w)[0].pk]),
        posted_as="{item}-comment",
    ),
    "why a charter signature is refused": Case(
        "regional_officer",
        lambda w: reverse("charter:signature_refuse", args=[charter_signature(w).pk]),
        lambda w: {},
        "reason",
        COMMENT_MAX_LENGTH,
        "form",
        lambda w: SignatureEvent.objects.count(),
    ),
    "a charter's preamble": Case(
        "regional_officer",
        lambda w: reverse("charter:draft_edit", args=[charter_draft(w).pk]),
        lambda w: {
            "title_fr": "Charte",
            "engagements-TOTAL_FORMS": "0",
            "engagements-INITIAL_FORMS": "0",
        },
        "preamble_fr",
        DOCUMENT_MAX_LENGTH,
        "form",
        lambda w: CharterVersion.objects.filter(preamble_fr__startswith="Trop long").count(),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_text_too_long_is_refused_on_its_field_with_the_input_kept(world, client_for, name):
    case = CASES[name]
    client = client_for(world.user(case.role))
    url = case.url(world)
    page = case.page(world) if case.page else url
    if page:
        assert f'maxlength="{case.limit}"' in client.get(page).content.decode()
    posted_as = case.posted_as.format(item=first_section(world)[2].code) if case.posted_as else case.field
    before = case.written(world)
    text = too_long(case.limit)
    headers = {"HX-Request": "true"} if name == "a checklist comment" else {}
    response = client.post(url, {**case.data(world), posted_as: text}, headers=headers)
    body = response.content.decode()
    assert response.status_code == 200
    form = response.context[case.context]
    assert list(form.errors) == [posted_as], form.errors
    assert f"au plus {case.limit} caractères" in form.errors[posted_as][0]
    assert text in body  # what was typed, to shorten rather than retype
    assert "is-invalid" in body
    assert case.written(world) == before


def test_the_longest_text_allowed_is_saved(world, client_for):
    client = client_for(world.user("trainer"))
    text = "x" * REASON_MAX_LENGTH
    client.post(
        reverse("attendance:follow_up_create", args=[world.drift.pk]),
        {"channel": FollowUpAttempt.Channel.values[0], "outcome": "no_answer", "comment": text},
    )
    assert FollowUpAttempt.objects.get().comment == text


def test_the_services_refuse_a_text_too_long_on_its_field(world):
    from attendance.services import drift_decide
    from pathways.services.people import join_request_decide, pathway_close
    from pathways.services.stages import stage_suspend

    user = world.user("prescriber_adviser")
    calls = {
        "note": lambda: drift_decide(drift=presumed(world), by=world.user("trainer"), confirm=False, note="x" * 1001),
        "reason": lambda: stage_suspend(
            stage=world.stage,
            by=world.user("trainer"),
            date=TODAY(),
            planned_resume=TODAY() + datetime.timedelta(days=10),
            reason="x" * 1001,
        ),
        "comment": lambda: join_request_decide(
            join_request=world.join_request, by=user, accept=False, comment="x" * 1001
        ),
    }
    for field, call in calls.items():
        with pytest.raises(ValidationError) as caught:
            call()
        assert list(caught.value.error_dict) == [field]
    with pytest.raises(ValidationError) as caught:
        pathway_close(pathway=world.pathway, by=user, reason="x" * 1001)
    assert list(caught.value.error_dict) == ["reason"]
    assert not StageTransition.objects.filter(action="suspend").exists()


def test_a_checklist_comment_too_long_is_refused_by_the_service_on_its_item(world):
    from checklist.services import section_save

    checklist, section, item = first_section(world)
    row = {"item": item, "answer": "risk", "comment": "x" * (COMMENT_MAX_LENGTH + 1), "action": ""}
    with pytest.raises(ValidationError) as caught:
        section_save(checklist=checklist, section=section, by=world.user("trainer"), rows=[row])
    assert list(caught.value.error_dict) == [f"{item.code}-comment"]
