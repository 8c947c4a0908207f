"""Filling the checklist with the person, section by section (resumable), the follow-up actions and their
to-dos, the person's agreement, the submission and its revisions."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from checklist.models import Answer, Checklist, ChecklistAnswer, ChecklistRevision
from checklist.services import checklist_start, checklist_submit, consent_record, section_save
from notifications.models import Todo
from tests.checklist.factories import fill, first_template, item, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(world):
    return world.user("trainer")


@pytest.fixture
def checklist(world, trainer):
    first_template()
    return checklist_start(stage=world.stage, by=trainer)


def section(checklist, code):
    return checklist.template.sections.get(code=code)


def section_post(checklist, code, **answers):
    """The section's form data: `answers` maps item codes to an answer or to a dict of its fields."""
    data = {}
    for row in section(checklist, code).items.all():
        value = answers.get(row.code)
        if value is None:
            continue
        fields = value if isinstance(value, dict) else {"answer": value}
        for part, content in fields.items():
            data[f"{row.code}-{part}"] = content
    return data


def test_a_section_saves_on_its_own_and_the_page_resumes(world, client_for, trainer, checklist):
    client = client_for(trainer)
    url = reverse("checklist:section_save", args=[checklist.pk, section(checklist, "administrative").pk])
    response = client.post(
        url,
        section_post(checklist, "administrative", identity_document="ok", residence_permit="na"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="rubrique-administrative"')
    assert "Enregistré à" in fragment
    # The page-level progress comes with it, out of band (it stayed at "0 sur 16" until a reload).
    progress = fragment[fragment.index('id="checklist-progress"') :]
    assert 'hx-swap-oob="true"' in progress[:200]
    assert "2 points renseignés sur 16" in progress
    assert ChecklistAnswer.objects.filter(checklist=checklist).count() == 2
    page = client.get(reverse("checklist:edit", args=[checklist.pk])).content.decode()
    assert "2 points renseignés sur 16" in page
    assert 'value="ok" checked' in page.replace("checked\n", "checked ").replace("  ", " ") or "checked" in page


def test_the_form_and_a_section_save_take_a_few_queries_whatever_the_items(
    world, client_for, trainer, checklist, django_assert_max_num_queries
):
    client = client_for(trainer)
    client.get(reverse("checklist:edit", args=[checklist.pk]))  # session and caches warm
    # 16 items, each with its answer, comment and follow-up action (who: a list of the people it may go to).
    with django_assert_max_num_queries(16):
        page = client.get(reverse("checklist:edit", args=[checklist.pk]))
    assert page.status_code == 200 and trainer.get_full_name() in page.content.decode()
    url = reverse("checklist:section_save", args=[checklist.pk, section(checklist, "life").pk])
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = section_post(
        checklist,
        "life",
        housing={"answer": "risk", "action": "Chercher un hébergement", "action_owner": trainer.pk, "action_due": due},
        transport="ok",
    )
    with django_assert_max_num_queries(36):
        response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and ChecklistAnswer.objects.filter(checklist=checklist).count() == 2


def test_an_action_needs_what_who_and_a_date_not_past(world, client_for, trainer, checklist):
    client = client_for(trainer)
    url = reverse("checklist:section_save", args=[checklist.pk, section(checklist, "life").pk])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url,
        section_post(
            checklist, "life", housing={"answer": "risk", "action": "Chercher un hébergement", "action_due": yesterday}
        ),
        HTTP_HX_REQUEST="true",
    )
    page = html.unescape(response.content.decode())
    assert "Dites qui s'en charge." in page
    assert "L'échéance ne peut pas être passée." in page
    assert not ChecklistAnswer.objects.filter(checklist=checklist).exists()
    with pytest.raises(ValidationError) as error:
        section_save(
            checklist=checklist,
            section=section(checklist, "life"),
            by=trainer,
            rows=[
                {"item": item("housing"), "answer": "risk", "action": "", "action_owner": trainer, "action_due": None}
            ],
        )
    assert set(error.value.message_dict) == {"housing-action", "housing-action_due"}


def test_an_action_goes_to_its_owners_to_do_list_and_follows_the_answer(world, client_for, trainer, checklist):
    adviser = world.user("prescriber_adviser")
    # The person agreed to share the checklist with the prescriber: the adviser may take an action.
    consent_record(checklist=checklist, by=trainer, consent=True, scope=Checklist.ConsentScope.PRESCRIBER)
    due = timezone.localdate() + datetime.timedelta(days=5)
    rows = [
        {
            "item": item("housing"),
            "answer": "risk",
            "action": "Demander un FSL",
            "action_owner": adviser,
            "action_due": due,
        }
    ]
    section_save(checklist=checklist, section=section(checklist, "life"), by=trainer, rows=rows)
    todo = Todo.objects.get(owner=adviser)
    assert (todo.title, todo.due_on, todo.is_open) == ("Demander un FSL", due, True)
    assert "Zoé MARTIN" in todo.context
    page = client_for(adviser).get(reverse("notifications:todo_list")).content.decode()
    assert "Demander un FSL" in page
    # Saving the same again updates it; the answer becoming OK takes it off the list.
    section_save(checklist=checklist, section=section(checklist, "life"), by=trainer, rows=rows)
    assert Todo.objects.count() == 1
    section_save(
        checklist=checklist,
        section=section(checklist, "life"),
        by=trainer,
        rows=[{"item": item("housing"), "answer": "ok"}],
    )
    assert not Todo.objects.open().exists()


def test_the_owner_marks_a_to_do_done(world, client_for, trainer, checklist):
    due = timezone.localdate() + datetime.timedelta(days=2)
    section_save(
        checklist=checklist,
        section=section(checklist, "life"),
        by=trainer,
        rows=[
            {
                "item": item("transport"),
                "answer": "watch",
                "action": "Carte de bus",
                "action_owner": trainer,
                "action_due": due,
            }
        ],
    )
    todo = Todo.objects.get()
    assert (
        client_for(world.user("org_manager")).post(reverse("notifications:todo_done", args=[todo.pk])).status_code
        == 404
    )
    client_for(trainer).post(reverse("notifications:todo_done", args=[todo.pk]))
    todo.refresh_from_db()
    assert todo.done_at is not None and todo.done_by == trainer


def test_submitting_needs_every_answer_and_the_persons_answer_on_sharing(world, trainer, checklist):
    with pytest.raises(ValidationError, match="Il reste 16 point"):
        checklist_submit(checklist=checklist, by=trainer)
    fill(world.stage, trainer)
    with pytest.raises(ValidationError, match="partage de la check-list"):
        checklist_submit(checklist=checklist, by=trainer)
    consent_record(checklist=checklist, by=trainer, consent=False)
    revision, created = checklist_submit(checklist=checklist, by=trainer)
    assert created and revision.number == 1 and revision.risk_items == []
    checklist.refresh_from_db()
    assert checklist.status == Checklist.Status.SUBMITTED


def test_consent_needs_a_scope_and_a_date_not_future(world, client_for, trainer, checklist):
    client = client_for(trainer)
    url = reverse("checklist:consent_save", args=[checklist.pk])
    response = client.post(url, {"consent": "yes", "consent_scope": "", "consent_on": timezone.localdate().isoformat()})
    assert "Dites avec qui la personne accepte" in response.content.decode()
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"consent": "no", "consent_on": future})
    assert "ne peut pas être dans le futur" in response.content.decode()
    client.post(url, {"consent": "yes", "consent_scope": "prescriber", "consent_on": timezone.localdate().isoformat()})
    checklist.refresh_from_db()
    assert (checklist.consent, checklist.consent_scope, checklist.consent_recorded_by) == (True, "prescriber", trainer)
    assert checklist.shared_with_prescriber and not checklist.shared_with_referent


def test_editing_after_submission_makes_a_new_revision_and_keeps_the_old_one(world, trainer):
    checklist, first = submitted(world.stage, trainer, answers={"housing": Answer.WATCH})
    fill(world.stage, trainer, answers={"housing": Answer.OK, "budget": Answer.WATCH})
    second, created = checklist_submit(checklist=checklist, by=trainer)
    assert created and second.number == 2
    first.refresh_from_db()
    assert first.answers["housing"]["answer"] == "watch" and second.answers["housing"]["answer"] == "ok"
    # Nothing changed: the same revision, no new one.
    again, created = checklist_submit(checklist=checklist, by=trainer)
    assert (again, created) == (second, False)
    assert ChecklistRevision.objects.filter(checklist=checklist).count() == 2


def test_one_checklist_per_stage_and_version(world, trainer, checklist):
    assert checklist_start(stage=world.stage, by=trainer) == checklist
    assert Checklist.objects.filter(stage=world.stage).count() == 1


def test_only_the_training_bodys_staff_fill_it(world, client_for, checklist):
    adviser = world.user("prescriber_adviser")
    with pytest.raises(ValidationError):
        section_save(checklist=checklist, section=section(checklist, "life"), by=adviser, rows=[])
    assert client_for(world.user("outsider")).post(reverse("checklist:start", args=[world.stage.pk])).status_code == 404
    assert client_for(adviser).post(reverse("checklist:start", args=[world.stage.pk])).status_code == 403
    response = client_for(world.user("pedagogical_manager")).post(reverse("checklist:start", args=[world.stage.pk]))
    assert response.status_code == 302 and response.url == reverse("checklist:edit", args=[checklist.pk])
