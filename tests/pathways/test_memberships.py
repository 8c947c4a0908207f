"""An organisation manager manages memberships; deactivating a member hands over the pathways they hold."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from pathways.models import Membership, MembershipInvitation, Pathway
from pathways.services import memberships as services
from pathways.tasks import membership_invitation_send_task
from tests.pathways.factories import BeneficiaryFactory, PathwayFactory


@pytest.fixture
def manager(world):
    return world.user("org_manager")


def add_url(world):
    return reverse("pathways:member_add", args=[world.training_body.pk])


def test_a_manager_invites_a_new_person_who_gets_an_account_and_an_invitation(
    world, client_for, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(manager).post(
            add_url(world),
            {"email": "Nouvelle.Formatrice@Example.org", "first_name": "Léa", "last_name": "Roux", "role": "trainer"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.formatrice@example.org")
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Léa", "Roux")
    # The role waits for her answer: no membership before she accepts.
    assert not Membership.objects.filter(user=user).exists()
    invitation = MembershipInvitation.objects.get(user=user)
    assert (invitation.organisation, invitation.role, invitation.email) == (
        world.training_body,
        Membership.Role.TRAINER,
        "nouvelle.formatrice@example.org",
    )
    assert len(callbacks) == 1  # the e-mail is enqueued once the invitation is saved


def test_the_invitation_of_a_new_account_links_to_choosing_a_password_and_to_the_invitation(world, manager):
    invitation = services.membership_invite(
        organisation=world.training_body,
        by=manager,
        email="lea@example.org",
        first_name="Léa",
        last_name="Roux",
        role="trainer",
    )
    assert membership_invitation_send_task.run(invitation.pk) == "sent"
    message = mail.outbox[-1]
    assert message.to == ["lea@example.org"]
    assert "INSUP Cenon" in message.subject
    assert "/compte/mot-de-passe/nouveau/" in message.body
    assert reverse("pathways:membership_invitation_list") in message.body
    assert "Formateur·rice" in message.body
    assert message.alternatives[0][1] == "text/html"
    # Once sent, a retried task sends nothing more.
    assert membership_invitation_send_task.run(invitation.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_role_that_does_not_fit_the_organisation_is_refused(world, client_for, manager):
    response = client_for(manager).post(
        add_url(world), {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "prescriber_adviser"}
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    with pytest.raises(Exception, match="n'existe pas dans une structure"):
        services.membership_invite(
            organisation=world.training_body,
            by=manager,
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Membership.Role.PRESCRIBER_ADVISER,
        )


def test_adding_an_existing_member_twice_is_refused(world, client_for, manager):
    trainer = world.user("trainer")
    response = client_for(manager).post(
        add_url(world), {"email": trainer.email, "first_name": "A", "last_name": "B", "role": "trainer"}
    )
    assert response.context["form"].errors["email"] == ["Cette personne a déjà ce rôle dans votre structure."]


def test_a_trainer_cannot_manage_members(world, client_for):
    response = client_for(world.user("trainer")).post(
        add_url(world), {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "trainer"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_another_organisation_manager_gets_404(world, client_for):
    response = client_for(world.user("legal_representative")).post(
        add_url(world), {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "trainer"}
    )
    assert response.status_code == 404


def test_inviting_takes_a_logged_in_manager_and_a_form(world, client_for, manager):
    assert client_for(None).post(add_url(world), {"email": "x@example.org"}).status_code == 302
    assert client_for(manager).put(add_url(world)).status_code == 405
    assert not User.objects.filter(email="x@example.org").exists()


# ---------------------------------------------------------------------------------------------------------------
# Deactivation and reassignment


@pytest.fixture
def trainer_as_referent(world):
    """The trainer is referent of two open pathways involving the training body, and of a closed one."""
    trainer = world.user("trainer")
    pathways = [
        PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region), referent=trainer, opened_by=world.training_body
        )
        for _ in range(2)
    ]
    PathwayFactory(
        beneficiary=BeneficiaryFactory(region=world.region),
        referent=trainer,
        opened_by=world.training_body,
        status=Pathway.Status.CLOSED,
        closed_at="2026-01-01T00:00Z",
    )
    return pathways


def deactivate_url(membership):
    return reverse("pathways:membership_deactivate", args=[membership.pk])


def test_deactivation_lists_the_pathways_to_hand_over(world, client_for, manager, trainer_as_referent):
    response = client_for(manager).get(deactivate_url(world.memberships["trainer"]))
    assert response.status_code == 200
    assert {p.pk for p in response.context["affected"].as_referent} == {p.pk for p in trainer_as_referent}
    assert "2 parcours en cours" in response.content.decode()


def test_deactivation_without_successor_is_refused_and_changes_nothing(world, client_for, manager, trainer_as_referent):
    response = client_for(manager).post(deactivate_url(world.memberships["trainer"]), {})
    assert response.status_code == 200
    assert response.context["form"].errors
    world.memberships["trainer"].refresh_from_db()
    assert world.memberships["trainer"].is_active
    assert Pathway.objects.filter(referent=world.user("trainer"), status="open").count() == 2


def test_deactivation_hands_every_pathway_to_the_default_successor(world, client_for, manager, trainer_as_referent):
    successor = world.user("pedagogical_manager")
    response = client_for(manager).post(
        deactivate_url(world.memberships["trainer"]), {"referent_default": successor.pk}
    )
    assert response.status_code == 302
    membership = world.memberships["trainer"]
    membership.refresh_from_db()
    assert not membership.is_active and membership.deactivated_by == manager
    for pathway in trainer_as_referent:
        pathway.refresh_from_db()
        assert pathway.referent == successor
    # A closed pathway keeps its history as it was.
    assert Pathway.objects.filter(referent=world.user("trainer"), status="closed").count() == 1


def test_a_per_pathway_choice_overrides_the_default(world, client_for, manager, trainer_as_referent):
    first, second = trainer_as_referent
    response = client_for(manager).post(
        deactivate_url(world.memberships["trainer"]),
        {"referent_default": world.user("pedagogical_manager").pk, f"referent_{second.pk}": manager.pk},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.referent, second.referent) == (world.user("pedagogical_manager"), manager)


def test_a_successor_must_be_an_active_member_of_the_organisation(world, manager, trainer_as_referent):
    outsider = world.user("outsider")
    with pytest.raises(Exception, match="successeur"):
        services.membership_deactivate(
            membership=world.memberships["trainer"],
            by=manager,
            referents={p.pk: outsider for p in trainer_as_referent},
            advisers={},
        )


def test_deactivating_an_adviser_hands_over_the_adviser_link(world, client_for):
    prescriber_manager = world.user("legal_representative")
    second_adviser = Membership.objects.create(
        user=world.user("outsider"), organisation=world.prescriber, role=Membership.Role.PRESCRIBER_ADVISER
    ).user
    response = client_for(prescriber_manager).post(
        deactivate_url(world.memberships["prescriber_adviser"]),
        {"referent_default": prescriber_manager.pk, "adviser_default": second_adviser.pk},
    )
    assert response.status_code == 302
    world.pathway.refresh_from_db()
    assert world.pathway.prescribing_adviser == second_adviser
    assert world.pathway.referent == prescriber_manager


def test_a_referent_still_member_of_an_involved_organisation_keeps_the_pathway(world):
    trainer = world.user("trainer")
    world.pathway.referent = trainer
    world.pathway.save()
    # The trainer also works for the prescriber: leaving the training body does not cut the thread.
    Membership.objects.create(user=trainer, organisation=world.prescriber, role=Membership.Role.PRESCRIBER_ADVISER)
    affected = services.affected_pathways(world.memberships["trainer"])
    assert world.pathway not in affected.as_referent


def test_the_last_manager_cannot_be_deactivated(world, manager):
    with pytest.raises(Exception, match="dernier·ère responsable"):
        services.membership_deactivate(
            membership=world.memberships["org_manager"], by=manager, referents={}, advisers={}
        )


def test_a_deactivated_member_loses_access_and_can_be_reactivated(world, client_for, manager):
    trainer = world.user("trainer")
    assert client_for(trainer).get(world.pathway.get_absolute_url()).status_code == 200
    client_for(manager).post(deactivate_url(world.memberships["trainer"]), {})
    assert client_for(trainer).get(world.pathway.get_absolute_url()).status_code == 404
    response = client_for(manager).post(
        reverse("pathways:membership_reactivate", args=[world.memberships["trainer"].pk])
    )
    assert response.status_code == 302
    assert client_for(trainer).get(world.pathway.get_absolute_url()).status_code == 200


def test_reactivate_is_post_only_and_manager_only(world, client_for):
    url = reverse("pathways:membership_reactivate", args=[world.memberships["trainer"].pk])
    assert client_for(world.user("org_manager")).get(url).status_code == 405
    assert client_for(world.user("trainer")).post(url).status_code == 403
    assert client_for(world.user("outsider")).post(url).status_code == 404
    assert client_for(None).post(url).status_code == 302


def test_the_legal_representative_flag_is_edited_by_the_manager(world, client_for, manager):
    membership = world.memberships["pedagogical_manager"]
    response = client_for(manager).post(
        reverse("pathways:membership_update", args=[membership.pk]), {"is_legal_representative": "on"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_legal_representative


def test_the_model_refuses_a_role_foreign_to_the_organisation_kind(world):
    """The admin validates through the model, so an administrator cannot make a trainer in a prescriber either."""
    from django.core.exceptions import ValidationError

    membership = Membership(user=world.user("outsider"), organisation=world.prescriber, role=Membership.Role.TRAINER)
    with pytest.raises(ValidationError, match="n'existe pas dans une structure de type"):
        membership.full_clean()
    coordinator = Membership(
        user=world.user("outsider"), organisation=world.funder, role=Membership.Role.BASIN_COORDINATOR
    )
    with pytest.raises(ValidationError, match="bassin coordonné"):
        coordinator.full_clean()
