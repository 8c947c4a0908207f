"""The person's agreement reaches the follow-up actions (issue 15, leak 3): an action goes only to someone who sees
the checklist (its training body's staff; the referent and the prescribing adviser only when the person agreed to
share it with them), an action on a health item only to someone who may also read its comment; withdrawing or
narrowing the agreement hands the actions of those who no longer see it back to the training body; and a health
item's action is masked like its comment for those who may not read it."""

import datetime
import html
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from checklist.models import Answer, Checklist, ChecklistAnswer
from checklist.pdf import answer_entry
from checklist.services import checklist_start, checklist_submit, consent_record, section_save
from notifications.models import Todo
from tests.checklist.factories import fill, first_template, item, submitted

pytestmark = pytest.mark.django_db

Scope = Checklist.ConsentScope
ACTION = "Demander un FSL au CCAS"
HEALTH_ACTION = "Prendre rendez-vous au CMP mardi"
HEALTH_COMMENT = "Traitement lourd, hôpital de jour."
HEALTH_MASK = "Action de suivi réservée à l'organisme et au ou à la référent·e (donnée de santé)."


@pytest.fixture
def trainer(world):
    return world.user("trainer")


@pytest.fixture
def adviser(world):
    return world.user("prescriber_adviser")


@pytest.fixture
def checklist(world, trainer):
    first_template()
    return checklist_start(stage=world.stage, by=trainer)


@pytest.fixture
def referent(world):
    """A referent who is not the prescribing adviser (in the world, the adviser is both): the facilitator of the
    support structure."""
    world.pathway.referent = world.user("facilitator")
    world.pathway.save()
    return world.user("facilitator")


def due():
    return timezone.localdate() + datetime.timedelta(days=5)


def life(checklist):
    return checklist.template.sections.get(code="life")


def action_row(code, owner, text=ACTION):
    return {"item": item(code), "answer": Answer.RISK, "action": text, "action_owner": owner, "action_due": due()}


def action_post(code, owner, text=ACTION):
    return {
        f"{code}-answer": "risk",
        f"{code}-action": text,
        f"{code}-action_owner": owner.pk,
        f"{code}-action_due": due().isoformat(),
    }


def offered(client, checklist, code) -> set[int]:
    """The people the form offers as the owner of `code`'s action."""
    page = client.get(reverse("checklist:edit", args=[checklist.pk])).content.decode()
    select = re.search(rf'<select name="{code}-action_owner".*?</select>', page, re.S).group(0)
    return {int(pk) for pk in re.findall(r'value="(\d+)"', select)}


def to_do_list(client) -> str:
    return html.unescape(client.get(reverse("notifications:todo_list")).content.decode())


# --------------------------------------------------------------------------------------------------------------
# Who an action may go to


@pytest.mark.parametrize("consent", [None, False])
def test_without_the_persons_agreement_the_prescribing_adviser_is_not_offered_as_an_owner(
    world, client_for, trainer, adviser, checklist, consent
):
    if consent is not None:
        consent_record(checklist=checklist, by=trainer, consent=consent)
    choices = offered(client_for(trainer), checklist, "housing")
    assert adviser.pk not in choices
    assert {trainer.pk, world.user("pedagogical_manager").pk, world.user("org_manager").pk} <= choices


def test_without_the_persons_agreement_the_prescribing_adviser_is_refused_as_owner_and_nothing_is_written(
    world, client_for, trainer, adviser, checklist
):
    consent_record(checklist=checklist, by=trainer, consent=False)
    url = reverse("checklist:section_save", args=[checklist.pk, life(checklist).pk])
    response = client_for(trainer).post(url, action_post("housing", adviser), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "La rubrique n'est pas enregistrée" in html.unescape(response.content.decode())
    assert not ChecklistAnswer.objects.filter(checklist=checklist).exists()
    assert not Todo.objects.exists()
    # The service refuses it too, on the owner's field, whoever calls it.
    with pytest.raises(ValidationError) as error:
        section_save(checklist=checklist, section=life(checklist), by=trainer, rows=[action_row("housing", adviser)])
    assert list(error.value.message_dict) == ["housing-action_owner"]
    assert "n'a pas accepté" in error.value.message_dict["housing-action_owner"][0]
    assert not ChecklistAnswer.objects.filter(checklist=checklist).exists() and not Todo.objects.exists()


def test_the_prescribing_adviser_of_a_refused_checklist_reads_nothing_of_it_in_their_to_do_list(
    world, adversaries, client_for, trainer, adviser
):
    refused = adversaries.refused_checklist
    url = reverse("checklist:section_save", args=[refused.pk, life(refused).pk])
    client_for(trainer).post(url, action_post("housing", adviser), HTTP_HX_REQUEST="true")
    assert not Todo.objects.filter(owner=adviser).exists()
    page = to_do_list(client_for(adviser))
    for secret in (ACTION, "Inès", "REFUS", "Logement stable"):
        assert secret not in page
    assert client_for(adviser).get(refused.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("consent", "scope", "adviser_may", "referent_may"),
    [
        (True, Scope.BOTH, True, True),
        (True, Scope.PRESCRIBER, True, False),
        (True, Scope.REFERENT, False, True),
        (False, "", False, False),
    ],
)
def test_the_agreement_says_who_outside_the_training_body_may_own_an_action(
    world, client_for, trainer, adviser, referent, checklist, consent, scope, adviser_may, referent_may
):
    consent_record(checklist=checklist, by=trainer, consent=consent, scope=scope)
    choices = offered(client_for(trainer), checklist, "housing")
    assert (adviser.pk in choices, referent.pk in choices) == (adviser_may, referent_may)
    for person, may in ((adviser, adviser_may), (referent, referent_may)):
        if may:
            section_save(checklist=checklist, section=life(checklist), by=trainer, rows=[action_row("housing", person)])
            assert Todo.objects.get(owner=person).title == ACTION
        else:
            with pytest.raises(ValidationError):
                section_save(
                    checklist=checklist, section=life(checklist), by=trainer, rows=[action_row("housing", person)]
                )
            assert not Todo.objects.filter(owner=person).exists()


def test_a_health_items_action_goes_only_to_those_who_may_read_its_comment(
    world, client_for, trainer, adviser, referent, checklist
):
    consent_record(checklist=checklist, by=trainer, consent=True, scope=Scope.BOTH)
    client = client_for(trainer)
    assert adviser.pk in offered(client, checklist, "housing")
    health_choices = offered(client, checklist, "health")
    assert adviser.pk not in health_choices and {referent.pk, trainer.pk} <= health_choices
    with pytest.raises(ValidationError) as error:
        section_save(
            checklist=checklist,
            section=life(checklist),
            by=trainer,
            rows=[action_row("health", adviser, HEALTH_ACTION)],
        )
    assert "point de santé" in error.value.message_dict["health-action_owner"][0]
    assert not Todo.objects.exists()
    section_save(
        checklist=checklist, section=life(checklist), by=trainer, rows=[action_row("health", referent, HEALTH_ACTION)]
    )
    assert Todo.objects.get(owner=referent).title == HEALTH_ACTION


# --------------------------------------------------------------------------------------------------------------
# The agreement withdrawn or narrowed after actions were given


def test_withdrawing_the_agreement_hands_the_actions_back_to_the_training_body(
    world, client_for, trainer, adviser, checklist
):
    consent_record(checklist=checklist, by=trainer, consent=True, scope=Scope.BOTH)
    section_save(checklist=checklist, section=life(checklist), by=trainer, rows=[action_row("housing", adviser)])
    assert ACTION in to_do_list(client_for(adviser))
    manager = world.user("org_manager")
    response = client_for(manager).post(
        reverse("checklist:consent_save", args=[checklist.pk]),
        {"consent": "no", "consent_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "qui ne voit plus la check-list vous revient" in html.unescape(response.content.decode())
    answer = ChecklistAnswer.objects.get(checklist=checklist, item=item("housing"))
    assert (answer.action, answer.action_owner) == (ACTION, manager)
    todo = Todo.objects.get()
    assert (todo.owner, todo.title, todo.is_open) == (manager, ACTION, True)
    page = to_do_list(client_for(adviser))
    assert ACTION not in page and "Zoé" not in page and "Logement" not in page
    assert ACTION in to_do_list(client_for(manager))


def test_narrowing_the_agreement_hands_back_only_the_actions_of_those_left_out(
    world, client_for, trainer, adviser, referent, checklist
):
    consent_record(checklist=checklist, by=trainer, consent=True, scope=Scope.BOTH)
    section_save(
        checklist=checklist,
        section=life(checklist),
        by=trainer,
        rows=[action_row("housing", adviser), action_row("transport", referent, "Carte de bus")],
    )
    # A to-do already done moves too: its text leaves the list of someone who no longer sees the checklist.
    Todo.objects.filter(owner=adviser).update(done_at=timezone.now(), done_by=adviser)
    _checklist, taken_back = consent_record(checklist=checklist, by=trainer, consent=True, scope=Scope.REFERENT)
    assert [answer.item.code for answer in taken_back] == ["housing"]
    owners = dict(ChecklistAnswer.objects.filter(checklist=checklist).values_list("item__code", "action_owner"))
    assert owners == {"housing": trainer.pk, "transport": referent.pk}
    assert not Todo.objects.filter(owner=adviser).exists()
    assert Todo.objects.get(owner=trainer).done_at is not None
    assert ACTION not in to_do_list(client_for(adviser))
    assert "Carte de bus" in to_do_list(client_for(referent))


def test_leaky_actions_of_existing_checklists_go_back_to_the_training_body(world, client_for, trainer, adviser):
    """The data migration: actions given before the rule to someone who does not see the checklist (refused
    sharing), or on a health item to someone who may not read it, go to the staff member who started it."""
    migration = importlib.import_module("checklist.migrations.0007_actions_only_to_those_who_see_the_checklist")
    checklist = fill(world.stage, trainer)
    consent_record(checklist=checklist, by=trainer, consent=False)
    # Written as the code before the rule let it be.
    for code, text in (("housing", ACTION), ("transport", "Carte de bus")):
        owner = adviser if code == "housing" else trainer
        ChecklistAnswer.objects.filter(checklist=checklist, item=item(code)).update(
            answer=Answer.RISK, action=text, action_owner=owner, action_due=due()
        )
        Todo.objects.create(
            owner=owner,
            title=text,
            context="Zoé MARTIN · check-list, Logement stable",
            due_on=due(),
            source_key=f"checklist-answer:{checklist.pk}:{code}",
            stage=world.stage,
            created_by=trainer,
        )
    migration.actions_only_to_those_who_see_the_checklist(apps, None)
    owners = dict(
        ChecklistAnswer.objects.filter(checklist=checklist).exclude(action="").values_list("item__code", "action_owner")
    )
    assert owners == {"housing": trainer.pk, "transport": trainer.pk}
    assert not Todo.objects.filter(owner=adviser).exists()
    assert ACTION not in to_do_list(client_for(adviser))


# --------------------------------------------------------------------------------------------------------------
# A health item's action is masked like its comment


@pytest.fixture
def health_checklist(world, trainer):
    return submitted(
        world.stage,
        trainer,
        answers={"health": Answer.RISK, "housing": Answer.RISK},
        comments={"health": HEALTH_COMMENT},
        actions={
            "health": {"action": HEALTH_ACTION, "owner": trainer, "due": due()},
            "housing": {"action": ACTION, "owner": trainer, "due": due()},
        },
    )[0]


@pytest.mark.parametrize(
    ("role", "reads_health"),
    [
        ("trainer", True),  # the training body that filled it
        ("prescriber_adviser", True),  # the referent of the world's pathway
        ("legal_representative", False),  # the prescriber's manager: the item's status only
    ],
)
def test_a_health_items_action_is_masked_like_its_comment_on_the_checklist(
    world, client_for, health_checklist, role, reads_health
):
    page = html.unescape(client_for(world.user(role)).get(health_checklist.get_absolute_url()).content.decode())
    assert (HEALTH_ACTION in page, HEALTH_COMMENT in page) == (reads_health, reads_health)
    assert (HEALTH_MASK in page) is not reads_health
    assert ACTION in page  # other items' actions: everyone who sees the checklist


def test_a_health_items_action_is_masked_like_its_comment_on_the_alert_page(world, client_for, health_checklist):
    alert = Alert.objects.get(kind="checklist_risk")
    manager_page = html.unescape(
        client_for(world.user("legal_representative")).get(alert.get_absolute_url()).content.decode()
    )
    assert "Contraintes de santé compatibles" in manager_page and ACTION in manager_page
    assert HEALTH_ACTION not in manager_page and HEALTH_COMMENT not in manager_page and HEALTH_MASK in manager_page
    referent_page = html.unescape(
        client_for(world.user("prescriber_adviser")).get(alert.get_absolute_url()).content.decode()
    )
    assert HEALTH_ACTION in referent_page and HEALTH_MASK not in referent_page


def test_a_health_items_action_is_masked_like_its_comment_in_an_answer_entry():
    entry = {"answer": "risk", "comment": HEALTH_COMMENT, "action": HEALTH_ACTION, "owner": "Léa", "sensitive": True}
    masked = answer_entry("health", entry, sensitive_readable=False)
    assert (masked["comment"], masked["action"]) == ("", "")
    assert masked["comment_hidden"] and masked["action_hidden"] and masked["owner"] == "Léa"
    read = answer_entry("health", entry)  # the PDF: the person's own document, read whole
    assert (read["comment"], read["action"], read["action_hidden"]) == (HEALTH_COMMENT, HEALTH_ACTION, False)
    other = answer_entry("housing", {**entry, "sensitive": False}, sensitive_readable=False)
    assert other["action"] == HEALTH_ACTION and not other["action_hidden"]


def test_resubmitting_does_not_reveal_a_health_action_to_the_prescriber(world, client_for, trainer, health_checklist):
    fill(world.stage, trainer, answers={"health": Answer.RISK, "childcare": Answer.RISK})
    checklist_submit(checklist=health_checklist, by=trainer)
    for alert in Alert.objects.filter(kind="checklist_risk"):
        page = client_for(world.user("legal_representative")).get(alert.get_absolute_url()).content.decode()
        assert HEALTH_ACTION not in html.unescape(page)
