"""The scoping filter is written as a UNION of indexed lookups (`scoping.visible_pathway_ids`), so the planner
estimates it right at 100,000 people. It must select exactly what the rule it replaced selected: that rule, an OR of
the ways of seeing a pathway, is kept here as the reference and compared, row for row, for every user of the
adversaries' world and of random worlds, on pathways, people, stages, ruptures and alerts."""

import random

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert
from alerts.registry import funder_kinds
from pathways import scoping
from pathways.models import Beneficiary, Membership, Organisation, Pathway, PathwayPartner, Stage
from ruptures.models import Rupture
from tests.accounts.factories import UserFactory
from tests.pathways.factories import (
    BeneficiaryFactory,
    OrganisationFactory,
    PathwayFactory,
    RegionFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


def reference_pathways(user):
    """The rule as it was written before the rewrite: one OR over the pathway table."""
    if not scoping.active_memberships(user):
        return Pathway.objects.none()
    condition = Q(referent=user) | Q(prescribing_adviser=user)
    person_orgs = scoping.org_ids(user, roles=scoping.PERSON_ROLES)
    if person_orgs:
        condition |= Q(opened_by__in=person_orgs) | Q(prescribing_organisation__in=person_orgs)
        condition |= Exists(Stage.objects.filter(pathway=OuterRef("pk"), organisation__in=person_orgs))
        condition |= Exists(PathwayPartner.objects.filter(pathway=OuterRef("pk"), organisation__in=person_orgs))
    return Pathway.objects.filter(condition)


def reference(user):
    pathways = reference_pathways(user)
    alerts = Alert.objects.filter(stage__pathway__in=pathways.values("pk"))
    if scoping.funding_organisations(user):
        alerts = alerts | Alert.objects.filter(Q(kind__in=funder_kinds()) & scoping.funded(user, stage="stage__"))
    return {
        "pathways": set(pathways.values_list("pk", flat=True)),
        "people": set(
            Beneficiary.objects.filter(Exists(pathways.filter(beneficiary=OuterRef("pk")))).values_list("pk", flat=True)
        ),
        "stages": set(Stage.objects.filter(pathway__in=pathways.values("pk")).values_list("pk", flat=True)),
        "ruptures": set(Rupture.objects.filter(stage__pathway__in=pathways.values("pk")).values_list("pk", flat=True)),
        "alerts": set(alerts.values_list("pk", flat=True)),
    }


def scoped(user):
    def ids(model):
        return set(model.objects.for_user(user).values_list("pk", flat=True))

    return {
        "pathways": ids(Pathway),
        "people": ids(Beneficiary),
        "stages": ids(Stage),
        "ruptures": ids(Rupture),
        "alerts": set(Alert.objects.visible_to(user).values_list("pk", flat=True)),
    }


def fresh(user):
    return User.objects.get(pk=user.pk)  # no membership cache from an earlier call


def test_the_union_selects_what_the_or_selected_for_every_adversary(world, adversaries):
    users = [user for user in world.users.values() if user is not None]
    assert len(users) > 15
    seen_something = 0
    for user in users:
        expected, actual = reference(fresh(user)), scoped(fresh(user))
        assert actual == expected, user
        seen_something += bool(actual["pathways"])
    assert seen_something >= 5


def random_world(rng: random.Random):
    region = RegionFactory()
    kinds = [{}, {}, {"prescriber": True}, {"prescriber": True}, {"funder": True}, {"support": True}]
    organisations = [OrganisationFactory(region=region, **rng.choice(kinds)) for _ in range(8)]
    users = [UserFactory() for _ in range(14)]
    for user in users:
        for _ in range(rng.randint(0, 3)):
            organisation = rng.choice(organisations)
            roles = [
                role
                for role, kinds in Membership.ROLE_KINDS.items()
                if organisation.kind in kinds and role != Role.BASIN_COORDINATOR
            ]
            role = rng.choice(roles)
            if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
                continue
            Membership.objects.create(
                user=user,
                organisation=organisation,
                role=role,
                **({} if rng.random() > 0.2 else {"is_active": False, "deactivated_at": timezone.now()}),
            )
    for _ in range(40):
        prescriber = rng.choice([None, *organisations])
        pathway = PathwayFactory(
            beneficiary=BeneficiaryFactory(region=region),
            referent=rng.choice(users),
            opened_by=rng.choice(organisations),
            prescribing_organisation=prescriber,
            prescribing_adviser=rng.choice([None, *users]) if prescriber else None,
        )
        for _ in range(rng.randint(0, 3)):
            StageFactory(pathway=pathway, organisation=rng.choice(organisations))
        for organisation in rng.sample(organisations, rng.randint(0, 2)):
            PathwayPartner.objects.create(pathway=pathway, organisation=organisation)
    return users


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_union_selects_what_the_or_selected_on_random_worlds(seed):
    users = random_world(random.Random(seed))
    for user in users:
        assert scoped(fresh(user)) == reference(fresh(user)), user
    assert Organisation.objects.count() >= 8
