"""Granting roles (issue 15, leak 6): a table says who grants which role in which organisation kind; nobody grants
themselves a role; attaching an existing account is an invitation its owner accepts, and shows nothing about them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from pathways.forms import MemberAddForm
from pathways.models import Membership, MembershipInvitation
from pathways.services import memberships as services
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory, RegionFactory

Role = Membership.Role
NAME_MARKER = "Marqueur-Compte-Existant"


@pytest.fixture
def manager(world):
    return world.user("org_manager")


@pytest.fixture
def scheme_manager(world):
    """A manager of the Région, which runs the scheme in the world's region."""
    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    return Membership.objects.create(user=UserFactory(), organisation=world.funder, role=Role.ORG_MANAGER).user


@pytest.fixture
def opco(world):
    """A second funder of the region, which does not run the scheme, with its own manager."""
    organisation = OrganisationFactory(name="OPCO EP", region=world.region, funder=True)
    Membership.objects.create(user=UserFactory(), organisation=organisation, role=Role.ORG_MANAGER)
    return organisation


def manager_of(organisation):
    return Membership.objects.get(organisation=organisation, role=Role.ORG_MANAGER).user


def add_url(organisation):
    return reverse("pathways:member_add", args=[organisation.pk])


def invite(client, page, **data):
    payload = {"email": "nouvelle@example.org", "first_name": "Léa", "last_name": "Roux", "role": "trainer"}
    payload.update(data)
    return client.post(add_url(page), payload)


def anonymous(html, email):
    """`html` with the address, the ids and the CSRF tokens taken out: what may differ between two invitations."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\d+", "N", html.replace(email, "@"))


def offered(user, organisation):
    return {value for value, _label in MemberAddForm(organisation=organisation, user=user).fields["role"].choices}


# ---------------------------------------------------------------------------------------------------------------
# Regressions: what an organisation manager could do before


def test_a_manager_cannot_make_themselves_data_protection_officer(world, client_for, manager):
    response = invite(client_for(manager), world.training_body, email=manager.email, role="dpo")
    assert response.status_code == 200
    assert not Membership.objects.filter(user=manager, role=Role.DPO).exists()
    assert not MembershipInvitation.objects.exists()


def test_a_manager_cannot_make_themselves_basin_coordinator(world, client_for, manager):
    response = invite(
        client_for(manager), world.training_body, email=manager.email, role="basin_coordinator", basin=world.basin.pk
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=manager, role=Role.BASIN_COORDINATOR).exists()


def test_a_manager_cannot_give_a_regional_role_to_anyone(world, client_for, manager):
    for role in ("dpo", "basin_coordinator"):
        response = invite(client_for(manager), world.training_body, role=role, basin=world.basin.pk)
        assert response.status_code == 200
        assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="nouvelle@example.org").exists()
    assert not Membership.objects.filter(
        role__in=[Role.DPO, Role.BASIN_COORDINATOR], user__email="nouvelle@example.org"
    )


def test_attaching_an_existing_account_attaches_nothing_and_shows_no_name(world, client_for, manager):
    stranger = world.user("outsider")  # a trainer of another training body
    stranger.first_name, stranger.last_name = "Prénom", NAME_MARKER
    stranger.save()
    client = client_for(manager)
    response = invite(client, world.training_body, email=stranger.email.upper())
    assert response.status_code == 302
    assert not Membership.objects.filter(user=stranger, organisation=world.training_body).exists()
    page = client.get(response.url)
    body = page.content.decode()
    assert NAME_MARKER not in body and "Prénom" not in body
    assert stranger.email in body
    assert "Invitation envoyée" in body
    invitation = MembershipInvitation.objects.get()
    assert (invitation.user, invitation.status) == (stranger, MembershipInvitation.Status.PENDING)
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.last_name) == ("Prénom", NAME_MARKER)  # the typed names change nothing


def test_a_known_and_a_new_address_get_the_same_answer(world, client_for, manager):
    client = client_for(manager)
    known = world.user("outsider").email
    answers = []
    for email in (known, "personne.nouvelle@example.org"):
        response = invite(client, world.training_body, email=email)
        page = client.get(response.url)
        message = [str(m) for m in page.context["messages"]]
        row = page.content.decode().split('id="invitations-title"')[1].split("</tbody>")[0]
        answers.append((response.status_code, response.url, message[0].replace(email, "@"), anonymous(row, email)))
        MembershipInvitation.objects.update(status="cancelled", answered_at="2026-01-01T00:00Z")
    assert answers[0] == answers[1]
    assert "Invitation envoyée à @" in answers[0][2]


# ---------------------------------------------------------------------------------------------------------------
# The table: who grants which role where


def test_an_organisation_manager_is_offered_only_the_roles_of_their_organisation(world, manager):
    assert offered(manager, world.training_body) == {"trainer", "pedagogical_manager", "org_manager"}
    assert offered(world.user("legal_representative"), world.prescriber) == {"org_manager", "prescriber_adviser"}


def test_the_service_is_the_guard_not_the_form(world, manager):
    for role in (Role.DPO, Role.BASIN_COORDINATOR):
        with pytest.raises(ValidationError, match="structure qui anime le dispositif"):
            services.membership_invite(
                organisation=world.training_body,
                by=manager,
                email="x@example.org",
                first_name="X",
                last_name="Y",
                role=role,
                basin=world.basin,
            )
    assert not MembershipInvitation.objects.exists()
    assert not User.objects.filter(email="x@example.org").exists()


def test_nobody_invites_themselves_even_with_a_role_they_may_grant(world, manager):
    with pytest.raises(ValidationError, match="soi-même"):
        services.membership_invite(
            organisation=world.training_body,
            by=manager,
            email=f"  {manager.email.upper()} ",
            first_name="X",
            last_name="Y",
            role=Role.PEDAGOGICAL_MANAGER,
        )


def test_the_scheme_manager_is_offered_the_regional_roles_and_the_region_s_organisations(world, scheme_manager, opco):
    form = MemberAddForm(organisation=world.funder, user=scheme_manager)
    assert offered(scheme_manager, world.funder) == {"org_manager", "regional_officer", "basin_coordinator", "dpo"}
    assert {world.training_body, opco, world.funder} <= set(form.fields["organisation"].queryset)


def test_the_scheme_manager_invites_a_regional_officer_of_another_funder(world, client_for, scheme_manager, opco):
    response = invite(
        client_for(scheme_manager), world.funder, organisation=opco.pk, role="regional_officer", email="r@example.org"
    )
    assert response.status_code == 302
    assert response.url == reverse("pathways:membership_list", args=[world.funder.pk])
    invitation = MembershipInvitation.objects.get()
    assert (invitation.organisation, invitation.role) == (opco, Role.REGIONAL_OFFICER)
    # It is on the scheme organisation's page (where it was sent from) and on the OPCO's (whose role it is).
    for user, organisation in ((scheme_manager, world.funder), (manager_of(opco), opco)):
        page = client_for(user).get(reverse("pathways:membership_list", args=[organisation.pk]))
        assert invitation in page.context["invitations"]


def test_the_scheme_manager_names_a_data_protection_officer_of_a_training_body(world, scheme_manager):
    invitation = services.membership_invite(
        organisation=world.training_body,
        by=scheme_manager,
        email="dpo@example.org",
        first_name="D",
        last_name="P",
        role=Role.DPO,
    )
    membership = services.membership_invitation_accept(invitation=invitation, by=invitation.user)
    assert (membership.organisation, membership.role, membership.is_active) == (world.training_body, Role.DPO, True)


def test_the_scheme_manager_grants_no_other_role_elsewhere(world, scheme_manager, opco):
    for organisation, role in ((opco, Role.ORG_MANAGER), (world.training_body, Role.TRAINER)):
        with pytest.raises(ValidationError, match="direction de la structure"):
            services.membership_invite(
                organisation=organisation,
                by=scheme_manager,
                email="x@example.org",
                first_name="X",
                last_name="Y",
                role=role,
            )


def test_the_legal_representative_is_named_by_the_organisation_itself(world, scheme_manager, opco):
    with pytest.raises(ValidationError, match="représentant·e légal·e"):
        services.membership_invite(
            organisation=opco,
            by=scheme_manager,
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Role.REGIONAL_OFFICER,
            is_legal_representative=True,
        )


def test_a_funder_that_does_not_run_the_scheme_grants_no_regional_role(world, scheme_manager, opco):
    assert offered(manager_of(opco), opco) == {"org_manager"}
    with pytest.raises(ValidationError, match="structure qui anime le dispositif"):
        services.membership_invite(
            organisation=opco, by=manager_of(opco), email="x@example.org", first_name="X", last_name="Y", role="dpo"
        )


def test_the_scheme_manager_of_another_region_grants_nothing_here(world, opco):
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    other_funder = OrganisationFactory(region=other_region, funder=True)
    other_region.scheme_organisation = other_funder
    other_region.save()
    other_manager = Membership.objects.create(user=UserFactory(), organisation=other_funder, role=Role.ORG_MANAGER)
    assert services.grantable_roles(other_manager.user, opco) == []


def test_without_a_scheme_organisation_only_an_administrator_grants_regional_roles(world, opco):
    assert world.region.scheme_organisation_id is None
    assert Role.REGIONAL_OFFICER not in services.grantable_roles(world.user("regional_officer"), world.funder)
    admin = world.user("admin")
    assert services.grantable_roles(admin, opco) == [
        Role.ORG_MANAGER,
        Role.REGIONAL_OFFICER,
        Role.BASIN_COORDINATOR,
        Role.DPO,
    ]
    invitation = services.membership_invite(
        organisation=opco, by=admin, email="r@example.org", first_name="R", last_name="O", role=Role.REGIONAL_OFFICER
    )
    assert invitation.status == MembershipInvitation.Status.PENDING
    with pytest.raises(ValidationError, match="soi-même"):
        services.membership_invite(
            organisation=opco, by=admin, email=admin.email, first_name="A", last_name="D", role=Role.DPO
        )


# ---------------------------------------------------------------------------------------------------------------
# Changing a membership is granting too


def test_nobody_changes_their_own_membership(world, client_for, manager):
    own = world.memberships["org_manager"]
    response = client_for(manager).post(
        reverse("pathways:membership_update", args=[own.pk]), {"is_legal_representative": "on"}
    )
    assert response.status_code == 200
    assert "propre rattachement" in " ".join(response.context["form"].non_field_errors())
    own.refresh_from_db()
    assert not own.is_legal_representative


def test_an_organisation_manager_does_not_move_a_coordinator_to_another_basin(world, client_for, manager):
    coordinator = Membership.objects.create(
        user=UserFactory(), organisation=world.training_body, role=Role.BASIN_COORDINATOR, basin=world.basin
    )
    response = client_for(manager).post(
        reverse("pathways:membership_update", args=[coordinator.pk]), {"basin": world.other_basin.pk}
    )
    assert response.status_code == 302  # the basin is shown, not changed: the flag alone is saved
    coordinator.refresh_from_db()
    assert coordinator.basin == world.basin
    with pytest.raises(ValidationError, match="structure qui anime le dispositif"):
        services.membership_update(
            membership=coordinator, by=manager, is_legal_representative=False, basin=world.other_basin
        )


def test_the_scheme_manager_moves_a_coordinator_of_their_organisation(world, client_for, scheme_manager):
    coordinator = world.memberships["basin_coordinator"]
    response = client_for(scheme_manager).post(
        reverse("pathways:membership_update", args=[coordinator.pk]), {"basin": world.other_basin.pk}
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.basin == world.other_basin


def test_giving_back_a_regional_role_is_a_grant(world, client_for, manager):
    dpo = world.memberships["dpo"]
    services.membership_deactivate(membership=dpo, by=manager, referents={}, advisers={})
    response = client_for(manager).post(reverse("pathways:membership_reactivate", args=[dpo.pk]), follow=True)
    assert "structure qui anime le dispositif" in response.content.decode()
    dpo.refresh_from_db()
    assert not dpo.is_active


def test_nobody_gives_back_their_own_role(world, manager):
    other = Membership.objects.create(user=UserFactory(), organisation=world.training_body, role=Role.ORG_MANAGER)
    own = world.memberships["org_manager"]
    services.membership_deactivate(membership=own, by=other.user, referents={}, advisers={})
    own.refresh_from_db()
    with pytest.raises(ValidationError, match="soi-même"):
        services.membership_reactivate(membership=own, by=manager)
    services.membership_reactivate(membership=own, by=other.user)
    own.refresh_from_db()
    assert own.is_active
