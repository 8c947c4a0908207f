"""The admin deactivates and reactivates memberships through their services (hand-over of pathways, who and when),
never by flipping `is_active`, and grants roles along the table, never to the administrator themselves."""

import pytest
from django.urls import reverse

from pathways.models import Membership, Pathway
from tests.pathways.factories import BeneficiaryFactory, PathwayFactory

Role = Membership.Role


@pytest.fixture
def admin_client(world, client_for):
    return client_for(world.user("admin"))


def change_url(membership):
    return reverse("admin:pathways_membership_change", args=[membership.pk])


def deactivate_url(membership):
    return reverse("admin:pathways_membership_deactivate", args=[membership.pk])


def form_data(membership, **changes):
    data = {
        "user": membership.user_id,
        "organisation": membership.organisation_id,
        "role": membership.role,
        "basin": membership.basin_id or "",
    }
    if membership.is_legal_representative:
        data["is_legal_representative"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_change_form_cannot_deactivate(world, admin_client):
    """Regression: the admin could flip `is_active`, bypassing the hand-over of pathways and deactivated_at/by."""
    trainer = world.memberships["trainer"]
    response = admin_client.post(change_url(trainer), form_data(trainer, is_active=""))
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.is_active and trainer.deactivated_at is None


def test_the_inline_shows_the_state_read_only_with_a_link_to_deactivate(world, admin_client):
    response = admin_client.get(reverse("admin:pathways_organisation_change", args=[world.training_body.pk]))
    body = response.content.decode()
    assert 'name="memberships-0-is_active"' not in body
    assert deactivate_url(world.memberships["trainer"]) in body


def test_the_admin_deactivates_through_the_service(world, admin_client):
    trainer = world.memberships["trainer"]
    page = admin_client.get(deactivate_url(trainer))
    assert page.status_code == 200 and "aucun parcours" in page.content.decode()
    response = admin_client.post(deactivate_url(trainer))
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert not trainer.is_active
    assert trainer.deactivated_by == world.user("admin") and trainer.deactivated_at is not None


def test_the_admin_refuses_when_pathways_need_a_successor(world, admin_client, client_for):
    trainer = world.memberships["trainer"]
    PathwayFactory(
        beneficiary=BeneficiaryFactory(region=world.region), referent=trainer.user, opened_by=world.training_body
    )
    page = admin_client.get(deactivate_url(trainer))
    assert "page « Membres » de la structure" in page.content.decode()
    response = admin_client.post(deactivate_url(trainer), follow=True)
    assert "tient le fil de 1 parcours en cours" in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.is_active
    assert Pathway.objects.filter(referent=trainer.user).count() == 1


def test_the_admin_actions_deactivate_and_reactivate_through_the_services(world, admin_client):
    changelist = reverse("admin:pathways_membership_changelist")
    trainer, dpo = world.memberships["trainer"], world.memberships["dpo"]
    admin_client.post(changelist, {"action": "deactivate_selected", "_selected_action": [trainer.pk, dpo.pk]})
    trainer.refresh_from_db()
    dpo.refresh_from_db()
    assert not trainer.is_active and not dpo.is_active and trainer.deactivated_by == world.user("admin")
    admin_client.post(changelist, {"action": "reactivate_selected", "_selected_action": [trainer.pk]})
    trainer.refresh_from_db()
    assert trainer.is_active and trainer.deactivated_at is None


def test_the_last_manager_is_not_deactivated_from_the_admin(world, admin_client):
    manager = world.memberships["org_manager"]
    response = admin_client.post(deactivate_url(manager), follow=True)
    assert "dernier·ère responsable" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active


def test_the_admin_grants_no_role_to_themselves(world, admin_client):
    admin = world.user("admin")
    response = admin_client.post(
        reverse("admin:pathways_membership_add"),
        {"user": admin.pk, "organisation": world.funder.pk, "role": Role.REGIONAL_OFFICER, "basin": ""},
    )
    assert response.status_code == 200
    assert "soi-même" in response.content.decode()
    assert not Membership.objects.filter(user=admin).exists()
    # To someone else, any role of the kind.
    response = admin_client.post(
        reverse("admin:pathways_membership_add"),
        {
            "user": world.user("outsider").pk,
            "organisation": world.funder.pk,
            "role": Role.REGIONAL_OFFICER,
            "basin": "",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.user("outsider"), role=Role.REGIONAL_OFFICER, is_active=True).exists()


def test_memberships_are_not_deleted_in_the_admin(world, admin_client):
    trainer = world.memberships["trainer"]
    response = admin_client.post(reverse("admin:pathways_membership_delete", args=[trainer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=trainer.pk).exists()


def test_the_deactivation_page_is_staff_only(world, client_for):
    response = client_for(world.user("org_manager")).get(deactivate_url(world.memberships["trainer"]))
    assert response.status_code == 302 and "/admin/login/" in response.url
    response = client_for(world.user("org_manager")).post(deactivate_url(world.memberships["trainer"]))
    world.memberships["trainer"].refresh_from_db()
    assert world.memberships["trainer"].is_active
