"""Feedback on the training (RÉVERSIBILITÉ): the facilitator writes for the training body, its pedagogical and
organisation managers read and answer, the exchange is kept; nobody else reaches it (404), the readers who may not
act get 403, and nothing is shared without the facilitator's action."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from pathways.models import Membership
from speaking_groups.models import FeedbackItem, FeedbackReply
from speaking_groups.notifications import FEEDBACK_ITEM, FEEDBACK_REPLY
from speaking_groups.services.feedback import feedback_reply, feedback_send
from speaking_groups.views import feedback as feedback_views
from tests.conftest import _member
from tests.speaking_groups.conftest import WORKSHOP_NOTE

pytestmark = pytest.mark.django_db

FEEDBACK = "Le rythme des après-midi est trop soutenu pour le groupe."
REPLY = "Nous avons ajouté une pause à 15 h."

READERS = ["pedagogical_manager", "org_manager"]
OTHERS = [
    "trainer",
    "dpo",
    "outsider",
    "prescriber_adviser",
    "regional_officer",
    "basin_coordinator",
    "other_facilitator",
    "other_adviser",
    "other_region_manager",
    "deactivated_trainer",
]


def _url(name, *args):
    return reverse(f"speaking_groups:{name}", args=args)


@pytest.fixture
def item(speaking_group):
    return feedback_send(
        group=speaking_group.group, by=speaking_group.facilitator, theme=FeedbackItem.Theme.PACE, text=FEEDBACK
    )


# ---------------------------------------------------------------------------------------------------------------
# The exchange


def test_the_facilitator_writes_a_feedback_item_and_the_pedagogical_manager_is_told(
    world, speaking_group, client_for, django_capture_on_commit_callbacks
):
    client = client_for(speaking_group.facilitator)
    url = _url("feedback_create", speaking_group.group.pk)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"theme": "pace", "text": f"  {FEEDBACK}  "})
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.group, item.theme, item.text, item.written_by) == (
        speaking_group.group,
        "pace",
        FEEDBACK,
        speaking_group.facilitator,
    )
    told = Notification.objects.filter(kind=FEEDBACK_ITEM)
    assert {n.recipient for n in told} == {world.user("pedagogical_manager")}
    for notification in told:
        assert FEEDBACK not in str(notification.params)
    for message in mail.outbox:
        assert FEEDBACK not in message.body + message.subject
        assert "Zoé" not in message.body


def test_the_managers_read_the_items_newest_first_and_answer(world, speaking_group, item, client_for):
    newer = feedback_send(
        group=speaking_group.group, by=speaking_group.facilitator, theme="climate", text="Un climat plus tendu."
    )
    manager = world.user("pedagogical_manager")
    client = client_for(manager)
    body = client.get(_url("feedback_list", speaking_group.group.pk)).content.decode()
    assert FEEDBACK in body
    assert body.index("Un climat plus tendu.") < body.index(FEEDBACK)

    response = client.post(_url("feedback_reply", item.pk), {"text": REPLY})
    assert response.status_code == 302
    reply = FeedbackReply.objects.get()
    assert (reply.item, reply.text, reply.written_by) == (item, REPLY, manager)
    assert Notification.objects.filter(kind=FEEDBACK_REPLY, recipient=speaking_group.facilitator).exists()
    assert not FeedbackReply.objects.filter(item=newer).exists()

    facilitator_view = client_for(speaking_group.facilitator).get(_url("feedback_list", speaking_group.group.pk))
    assert REPLY in facilitator_view.content.decode()
    org_manager_view = client_for(world.user("org_manager")).get(_url("feedback_list", speaking_group.group.pk))
    assert REPLY in org_manager_view.content.decode()


def test_the_exchange_is_kept_answers_add_up_and_nothing_edits_or_deletes(world, speaking_group, item, client_for):
    feedback_reply(item=item, by=world.user("pedagogical_manager"), text=REPLY)
    feedback_reply(item=item, by=world.user("org_manager"), text="Et un point d'étape chaque vendredi.")
    assert list(item.replies.values_list("text", flat=True)) == [REPLY, "Et un point d'étape chaque vendredi."]
    names = {pattern.name for pattern in feedback_views.urlpatterns}  # no edit, no delete
    assert names == {"feedback_list", "feedback_create", "feedback_reply"}


def test_nothing_is_shared_without_the_facilitators_action(world, speaking_group, client_for):
    """A workshop and its notes exist; the training body's managers read no feedback until one is written."""
    body = client_for(world.user("pedagogical_manager")).get(_url("feedback_list", speaking_group.group.pk))
    assert body.status_code == 200
    assert "Aucun retour" in body.content.decode()
    assert WORKSHOP_NOTE not in body.content.decode()
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_feedback_is_refused(speaking_group, client_for, text):
    client = client_for(speaking_group.facilitator)
    response = client.post(_url("feedback_create", speaking_group.group.pk), {"theme": "pace", "text": text})
    assert response.status_code == 200
    assert not FeedbackItem.objects.exists()


def test_an_unknown_theme_is_refused(speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    client.post(_url("feedback_create", speaking_group.group.pk), {"theme": "mood", "text": FEEDBACK})
    assert not FeedbackItem.objects.exists()


def test_an_empty_reply_is_refused(world, item, client_for):
    client = client_for(world.user("pedagogical_manager"))
    client.post(_url("feedback_reply", item.pk), {"text": "  "})
    assert not FeedbackReply.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("role", READERS)
def test_the_managers_may_not_write_an_item(world, speaking_group, client_for, role):
    client = client_for(world.user(role))
    url = _url("feedback_create", speaking_group.group.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"theme": "pace", "text": FEEDBACK}).status_code == 403
    assert not FeedbackItem.objects.exists()


def test_the_facilitator_may_not_answer_their_own_item(speaking_group, item, client_for):
    response = client_for(speaking_group.facilitator).post(_url("feedback_reply", item.pk), {"text": REPLY})
    assert response.status_code == 403
    assert not FeedbackReply.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_gets_404_and_writes_nothing(world, adversaries, speaking_group, item, client_for, role):
    client = client_for(world.user(role))
    assert client.get(_url("feedback_list", speaking_group.group.pk)).status_code == 404
    assert client.get(_url("feedback_create", speaking_group.group.pk)).status_code == 404
    assert (
        client.post(_url("feedback_create", speaking_group.group.pk), {"theme": "pace", "text": "x"}).status_code == 404
    )
    assert client.post(_url("feedback_reply", item.pk), {"text": REPLY}).status_code == 404
    assert FeedbackItem.objects.count() == 1
    assert not FeedbackReply.objects.exists()
    assert FEEDBACK not in client.get(speaking_group.group.get_absolute_url()).content.decode()


def test_another_training_bodys_managers_get_404(world, speaking_group, item, client_for):
    other_manager = _member(world.other_training_body, Membership.Role.PEDAGOGICAL_MANAGER).user
    client = client_for(other_manager)
    assert client.get(_url("feedback_list", speaking_group.group.pk)).status_code == 404
    assert client.post(_url("feedback_reply", item.pk), {"text": REPLY}).status_code == 404
    assert not FeedbackReply.objects.exists()


def test_a_deactivated_manager_gets_404(world, speaking_group, item, client_for):
    manager = world.user("pedagogical_manager")
    Membership.objects.filter(user=manager).update(is_active=False, deactivated_at=timezone.now())
    client = client_for(manager)
    assert client.get(_url("feedback_list", speaking_group.group.pk)).status_code == 404
    assert client.post(_url("feedback_reply", item.pk), {"text": REPLY}).status_code == 404


def test_anonymous_is_sent_to_the_login_page(speaking_group, item, client_for):
    client = client_for(None)
    for response in (
        client.get(_url("feedback_list", speaking_group.group.pk)),
        client.get(_url("feedback_create", speaking_group.group.pk)),
        client.post(_url("feedback_reply", item.pk), {"text": REPLY}),
    ):
        assert response.status_code == 302
        assert "login" in response.url or "connexion" in response.url
    assert not FeedbackReply.objects.exists()


def test_wrong_methods_get_405(world, speaking_group, item, client_for):
    assert client_for(world.user("pedagogical_manager")).get(_url("feedback_reply", item.pk)).status_code == 405
    client = client_for(speaking_group.facilitator)
    assert client.post(_url("feedback_list", speaking_group.group.pk)).status_code == 405
    assert client.put(_url("feedback_create", speaking_group.group.pk)).status_code == 405


def test_the_list_reads_a_constant_number_of_queries(world, speaking_group, client_for, django_assert_max_num_queries):
    manager = world.user("pedagogical_manager")
    for n in range(8):
        item = feedback_send(group=speaking_group.group, by=speaking_group.facilitator, theme="content", text=f"R{n}")
        feedback_reply(item=item, by=manager, text=f"Réponse {n}")
    client = client_for(manager)
    with django_assert_max_num_queries(16):
        response = client.get(_url("feedback_list", speaking_group.group.pk))
    assert response.content.decode().count("Réponse ") == 8
