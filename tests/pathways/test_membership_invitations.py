"""Invitations to a role: sent by e-mail through a task, accepted (or declined) by the invited account's owner after
logging in, sent again or cancelled by the managers who may grant the role; scoped like everything else."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pathways.models import Membership, MembershipInvitation
from pathways.services import memberships as services
from pathways.tasks import membership_invitation_send_task
from tests.accounts.factories import UserFactory

Role = Membership.Role
Status = MembershipInvitation.Status


@pytest.fixture
def manager(world):
    return world.user("org_manager")


def invite(world, by, email="invitee@example.org", role=Role.PEDAGOGICAL_MANAGER, **extra):
    return services.membership_invite(
        organisation=world.training_body, by=by, email=email, first_name="Inès", last_name="Invitée", role=role, **extra
    )


@pytest.fixture
def invitation(world, manager):
    """A pending invitation of an existing account (the other training body's trainer) to the training body."""
    return invite(world, manager, email=world.user("outsider").email)


def url(name, invitation):
    return reverse(f"pathways:membership_invitation_{name}", args=[invitation.pk])


# ---------------------------------------------------------------------------------------------------------------
# The e-mail


def test_the_invitation_of_an_existing_account_has_no_password_link(world, invitation):
    assert membership_invitation_send_task.run(invitation.pk) == "sent"
    message = mail.outbox[-1]
    assert message.to == [world.user("outsider").email]
    assert "/compte/mot-de-passe/" not in message.body
    assert reverse("pathways:membership_invitation_list") in message.body
    assert world.user("org_manager").get_full_name() in message.body  # who invites, by name


def test_the_email_keeps_its_message_id_when_a_retried_task_sends_it_again(world, invitation):
    membership_invitation_send_task.run(invitation.pk)
    first = mail.outbox[-1].extra_headers["Message-ID"]
    MembershipInvitation.objects.filter(pk=invitation.pk).update(sent_at=None)  # a crash before the record
    membership_invitation_send_task.run(invitation.pk)
    assert mail.outbox[-1].extra_headers["Message-ID"] == first


def test_an_answered_or_expired_invitation_or_an_inactive_account_gets_no_email(world, invitation, manager):
    account = invitation.user
    account.is_active = False
    account.save()
    assert membership_invitation_send_task.run(invitation.pk) == "skipped"
    account.is_active = True
    account.save()
    with time_machine.travel(invitation.expires_at + datetime.timedelta(minutes=1)):
        assert membership_invitation_send_task.run(invitation.pk) == "skipped"
    services.membership_invitation_cancel(invitation=invitation, by=manager)
    assert membership_invitation_send_task.run(invitation.pk) == "skipped"
    assert membership_invitation_send_task.run(999999) == "skipped"
    assert mail.outbox == []


def test_inviting_the_same_address_again_sends_the_same_invitation_again(world, manager, invitation):
    membership_invitation_send_task.run(invitation.pk)
    again = invite(world, manager, email=invitation.email)
    assert again.pk == invitation.pk and again.send_count == 2 and again.sent_at is None
    membership_invitation_send_task.run(again.pk)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]


def test_the_sweeper_enqueues_again_an_email_the_broker_lost(world, invitation, monkeypatch, settings):
    from pathways import tasks

    enqueued = []
    monkeypatch.setattr(tasks.membership_invitation_send_task, "delay", enqueued.append)
    assert tasks.sweep_membership_invitations_task.run() == 0  # just asked for: its task may still come
    later = timezone.now() + services.SEND_SWEEP_AFTER + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        assert tasks.sweep_membership_invitations_task.run() == 1
        assert enqueued == [invitation.pk]
        membership_invitation_send_task.run(invitation.pk)
        assert tasks.sweep_membership_invitations_task.run() == 0  # sent: nothing more
    assert len(mail.outbox) == 1
    assert "pathways-sweep-invitations" in settings.CELERY_BEAT_SCHEDULE


def test_the_accounts_app_imports_nothing_from_pathways():
    """accounts stands on floor 1, pathways on floor 2 (docs/design.md §8): the invitation task is pathways'."""
    import ast
    import pathlib

    import accounts

    for path in pathlib.Path(accounts.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [n for n in names if n.split(".")[0] == "pathways"], path.name


# ---------------------------------------------------------------------------------------------------------------
# Answering


def test_the_invited_person_sees_their_invitations_and_no_one_else_s(world, client_for, invitation, manager):
    invite(world, manager, email="someone.else@example.org")
    response = client_for(invitation.user).get(reverse("pathways:membership_invitation_list"))
    assert response.status_code == 200
    assert list(response.context["invitations"]) == [invitation]
    body = response.content.decode()
    assert "INSUP Cenon" in body and manager.get_full_name() in body
    assert (
        list(
            client_for(world.user("trainer")).get(reverse("pathways:membership_invitation_list")).context["invitations"]
        )
        == []
    )


def test_accepting_makes_the_membership(world, client_for, invitation, manager):
    invitee = invitation.user
    client = client_for(invitee)
    assert client.get(world.pathway.get_absolute_url()).status_code == 404
    response = client.post(url("accept", invitation))
    assert response.status_code == 302 and response.url == reverse("pathways:home")
    membership = Membership.objects.get(user=invitee, organisation=world.training_body)
    assert (membership.role, membership.is_active) == (Role.PEDAGOGICAL_MANAGER, True)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.membership, invitation.answered_by) == (Status.ACCEPTED, membership, invitee)
    assert client.get(world.pathway.get_absolute_url()).status_code == 200  # the role works at once
    # Accepted: the manager now sees the member by name in the list, and no more invitation.
    page = client_for(manager).get(reverse("pathways:membership_list", args=[world.training_body.pk]))
    assert invitee.get_full_name() in page.content.decode()
    assert page.context["invitations"] == []


def test_accepting_twice_makes_one_membership(world, invitation):
    services.membership_invitation_accept(invitation=invitation, by=invitation.user)
    with pytest.raises(ValidationError, match="déjà répondu"):
        services.membership_invitation_accept(invitation=invitation, by=invitation.user)
    assert Membership.objects.filter(user=invitation.user, organisation=world.training_body).count() == 1


def test_a_new_account_accepts_once_its_password_is_chosen(world, client_for, manager):
    invitation = invite(world, manager, email="nouvelle@example.org", role=Role.TRAINER)
    invitee = invitation.user
    invitee.set_password("un-mot-de-passe-solide-2026")
    invitee.save()
    assert client_for(invitee).post(url("accept", invitation)).status_code == 302
    assert Membership.objects.get(user=invitee).role == Role.TRAINER


def test_accepting_gives_back_a_deactivated_membership(world, manager):
    trainer = world.memberships["trainer"]
    services.membership_deactivate(membership=trainer, by=manager, referents={}, advisers={})
    invitation = invite(world, manager, email=trainer.user.email, role=Role.TRAINER)
    membership = services.membership_invitation_accept(invitation=invitation, by=trainer.user)
    assert membership.pk == trainer.pk
    assert membership.is_active and membership.deactivated_at is None and membership.deactivated_by is None


def test_declining_makes_nothing(world, client_for, invitation, manager):
    invitation.user.last_name = "Marqueur-Invitee"  # a random name could be the manager's own
    invitation.user.save(update_fields=["last_name"])
    response = client_for(invitation.user).post(url("decline", invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Status.DECLINED
    assert not Membership.objects.filter(user=invitation.user, organisation=world.training_body).exists()
    # The manager sees that it was declined, by the address they typed, not by whom.
    page = client_for(manager).get(reverse("pathways:membership_list", args=[world.training_body.pk]))
    assert "Invitation refusée" in page.content.decode()
    assert invitation.user.last_name not in page.content.decode()


def test_an_expired_invitation_cannot_be_accepted_until_sent_again(world, client_for, invitation, manager):
    with time_machine.travel(timezone.now() + MembershipInvitation.VALID_FOR + datetime.timedelta(hours=1)):
        response = client_for(invitation.user).post(url("accept", invitation), follow=True)
        assert "a expiré" in response.content.decode()
        assert not Membership.objects.filter(user=invitation.user, organisation=world.training_body).exists()
        page = client_for(manager).get(reverse("pathways:membership_list", args=[world.training_body.pk]))
        assert "Invitation expirée" in page.content.decode()
        assert client_for(manager).post(url("resend", invitation)).status_code == 302
        services.membership_invitation_accept(invitation=invitation, by=invitation.user)
    assert Membership.objects.filter(user=invitation.user, organisation=world.training_body, is_active=True).exists()


def test_an_invitation_whose_sender_lost_the_right_to_grant_cannot_be_accepted(world, manager, invitation):
    colleague = Membership.objects.create(user=UserFactory(), organisation=world.training_body, role=Role.ORG_MANAGER)
    services.membership_deactivate(
        membership=world.memberships["org_manager"], by=colleague.user, referents={}, advisers={}
    )
    with pytest.raises(ValidationError, match="n'est plus valable"):
        services.membership_invitation_accept(invitation=invitation, by=invitation.user)
    assert not Membership.objects.filter(user=invitation.user, organisation=world.training_body).exists()


def test_only_the_invited_account_answers(world, invitation, manager):
    for service in (services.membership_invitation_accept, services.membership_invitation_decline):
        with pytest.raises(ValidationError, match="autre compte"):
            service(invitation=invitation, by=manager)
    invitation.refresh_from_db()
    assert invitation.status == Status.PENDING


def test_a_cancelled_invitation_cannot_be_accepted(world, client_for, invitation, manager):
    assert client_for(manager).post(url("cancel", invitation)).status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_by) == (Status.CANCELLED, manager)
    with pytest.raises(ValidationError):
        services.membership_invitation_accept(invitation=invitation, by=invitation.user)


def test_sending_again_renews_the_invitation(
    world, client_for, invitation, manager, django_capture_on_commit_callbacks
):
    before = invitation.expires_at
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client_for(manager).post(url("resend", invitation))
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation.refresh_from_db()
    assert invitation.expires_at > before and invitation.send_count == 2


# ---------------------------------------------------------------------------------------------------------------
# Who reaches each URL: the addressee answers; the managers send again and cancel; others get 404


def test_the_invitations_page_is_for_logged_in_users_and_read_only(client_for, world):
    page = reverse("pathways:membership_invitation_list")
    assert client_for(None).get(page).status_code == 302
    assert client_for(world.user("trainer")).post(page).status_code == 405


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answering_is_the_addressee_s_alone(world, client_for, invitation, action):
    target = url(action, invitation)
    assert client_for(invitation.user).get(target).status_code == 405
    assert client_for(None).post(target).status_code == 302
    # The training body's staff see the invitation (an invitation of their organisation) but cannot answer it.
    for role in ("org_manager", "trainer"):
        assert client_for(world.user(role)).post(target).status_code == 403
    # Anyone else: it does not exist.
    for role in ("legal_representative", "prescriber_adviser", "regional_officer", "admin"):
        assert client_for(world.user(role)).post(target).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Status.PENDING
    assert not Membership.objects.filter(user=invitation.user, organisation=world.training_body).exists()


@pytest.mark.parametrize("action", ["resend", "cancel"])
def test_sending_again_and_cancelling_are_the_managers(world, client_for, invitation, action):
    target = url(action, invitation)
    assert client_for(world.user("org_manager")).get(target).status_code == 405
    assert client_for(None).post(target).status_code == 302
    for role in ("trainer", "pedagogical_manager", "dpo"):
        assert client_for(world.user(role)).post(target).status_code == 403
    for role in ("legal_representative", "prescriber_adviser", "regional_officer", "admin", "outsider"):
        # the outsider is the invited person: neither may they send it again nor cancel it
        expected = 403 if role == "outsider" else 404
        assert client_for(world.user(role)).post(target).status_code == expected, role
    invitation.refresh_from_db()
    assert (invitation.status, invitation.send_count) == (Status.PENDING, 1)
    assert client_for(world.user("org_manager")).post(target).status_code == 302


def test_a_deactivated_manager_reaches_no_invitation(world, client_for, invitation):
    colleague = Membership.objects.create(user=UserFactory(), organisation=world.training_body, role=Role.ORG_MANAGER)
    manager = world.memberships["org_manager"]
    services.membership_deactivate(membership=manager, by=colleague.user, referents={}, advisers={})
    for action in ("resend", "cancel"):
        assert client_for(manager.user).post(url(action, invitation)).status_code == 404


def test_the_member_list_query_count_does_not_grow_with_invitations(
    world, client_for, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    page = reverse("pathways:membership_list", args=[world.training_body.pk])
    invite(world, manager, email="a@example.org")
    client.get(page)
    with django_assert_max_num_queries(20) as few:
        client.get(page)
    for n in range(8):
        invite(world, manager, email=f"n{n}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page)
    assert len(response.context["invitations"]) == 9
