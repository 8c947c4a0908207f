"""The scoping layer: who sees which people, the access log, and the write views' permission cases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from pathways.models import Beneficiary, Membership, Pathway, PathwayPartner, Stage
from tests.pathways.factories import BeneficiaryFactory, PathwayFactory, StageFactory


def visible_pathways(user):
    return set(Pathway.objects.for_user(user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "role,sees",
    [
        ("trainer", True),  # a stage of the pathway is held by their training body
        ("pedagogical_manager", True),
        ("org_manager", True),
        ("legal_representative", True),  # manager of the prescribing organisation
        ("prescriber_adviser", True),
        ("facilitator", False),
        ("regional_officer", False),  # aggregates only
        ("basin_coordinator", False),
        ("dpo", False),  # the access log, not the records
        ("admin", False),  # reference data in the admin, no person
        ("outsider", False),
    ],
)
def test_who_sees_the_pathway(world, role, sees):
    assert (world.pathway.pk in visible_pathways(world.user(role))) is sees
    assert (
        world.beneficiary.pk in set(Beneficiary.objects.for_user(world.user(role)).values_list("pk", flat=True))
    ) is sees


def test_the_referent_sees_the_pathway_whatever_their_organisation(world):
    facilitator = world.user("facilitator")
    world.pathway.referent = facilitator
    world.pathway.save()
    assert world.pathway.pk in visible_pathways(facilitator)


def test_an_organisation_that_joined_sees_the_pathway(world):
    outsider = world.user("outsider")
    PathwayPartner.objects.create(pathway=world.pathway, organisation=world.other_training_body)
    assert world.pathway.pk in visible_pathways(outsider)


def test_a_user_without_active_membership_sees_nothing_even_as_referent(world):
    adviser = world.user("prescriber_adviser")
    Membership.objects.filter(user=adviser).update(is_active=False, deactivated_at=timezone.now())
    assert visible_pathways(adviser) == set()


def test_an_inactive_organisation_grants_nothing(world):
    world.training_body.is_active = False
    world.training_body.save()
    assert visible_pathways(world.user("trainer")) == set()


def test_a_stage_at_another_training_body_shows_the_whole_pathway_to_it(world):
    outsider = world.user("outsider")
    StageFactory(pathway=world.pathway, organisation=world.other_training_body)
    assert world.pathway.pk in visible_pathways(outsider)


def test_the_dpo_of_a_training_body_does_not_see_people(world, client_for):
    client = client_for(world.user("dpo"))
    assert client.get(world.beneficiary.get_absolute_url()).status_code == 404
    assert world.beneficiary.full_name not in client.get(reverse("pathways:beneficiary_list")).content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Access log


def test_reading_a_record_writes_one_access_log_row(world, client_for):
    trainer = world.user("trainer")
    client_for(trainer).get(world.pathway.get_absolute_url())
    log = AccessLog.objects.get()
    assert (log.user, log.beneficiary, log.action, log.view_name, log.acting_organisation) == (
        trainer,
        world.beneficiary,
        AccessLog.Action.READ,
        "pathways:pathway_detail",
        world.training_body,
    )


@pytest.mark.parametrize(
    "url_name,obj", [("beneficiary_detail", "beneficiary"), ("pathway_detail", "pathway"), ("stage_exit", "stage")]
)
def test_each_person_view_writes_the_access_log(world, client_for, url_name, obj):
    client_for(world.user("prescriber_adviser")).get(reverse(f"pathways:{url_name}", args=[getattr(world, obj).pk]))
    assert AccessLog.objects.filter(beneficiary=world.beneficiary, view_name=f"pathways:{url_name}").count() == 1


def test_a_change_is_logged_as_a_change(world, client_for):
    adviser = world.user("prescriber_adviser")
    client_for(adviser).post(
        reverse("pathways:beneficiary_update", args=[world.beneficiary.pk]),
        {"first_name": "Zoé", "last_name": "Martin", "birth_date": "2001-05-17", "phone": "0612345678"},
    )
    assert AccessLog.objects.filter(action=AccessLog.Action.CHANGE, user=adviser).exists()


def test_a_refused_read_writes_no_access_log(world, client_for):
    client_for(world.user("outsider")).get(world.pathway.get_absolute_url())
    assert not AccessLog.objects.exists()


def test_the_referent_alone_acts_for_no_organisation(world, client_for):
    facilitator = world.user("facilitator")
    world.pathway.referent = facilitator
    world.pathway.save()
    client_for(facilitator).get(world.pathway.get_absolute_url())
    assert AccessLog.objects.get().acting_organisation is None


# ---------------------------------------------------------------------------------------------------------------
# Write views: allowed role, read-only role (403), other organisation (404), anonymous (login), wrong method (405)


def today():
    return timezone.localdate()


WRITES = {
    "beneficiary_update": (
        "beneficiary",
        lambda w: {"first_name": "Zoé", "last_name": "Martin", "birth_date": "2001-05-17"},
    ),
    "pathway_update": (
        "pathway",
        lambda w: {"referent": w.user("legal_representative").pk, "prescribing_organisation": w.prescriber.pk},
    ),
    "pathway_close": (
        "pathway",
        lambda w: (
            Stage.objects.filter(pk=w.stage.pk).update(status=Stage.Status.COMPLETED, actual_end=today())
            and {"reason": "Fin"}
        ),
    ),
    "stage_create": (
        "pathway",
        lambda w: {"kind": "orientation", "organisation": w.prescriber.pk, "planned_start": today().isoformat()},
    ),
    "stage_update": ("stage", lambda w: {"planned_end": w.session.end_date.isoformat()}),
    "stage_suspend": (
        "stage",
        lambda w: {
            "date": today().isoformat(),
            "planned_resume": (today() + datetime.timedelta(days=10)).isoformat(),
            "reason": "Santé",
        },
    ),
    "stage_exit": ("stage", lambda w: {"status": "completed", "date": today().isoformat()}),
}


@pytest.mark.parametrize("url_name", WRITES)
def test_write_views_answer_each_access_case(world, client_for, url_name):
    obj, data = WRITES[url_name]
    url = reverse(f"pathways:{url_name}", args=[getattr(world, obj).pk])
    payload = data(world)
    # other organisation: 404, and nothing changes
    assert client_for(world.user("outsider")).post(url, payload).status_code == 404
    # anonymous: sent to log in
    response = client_for(None).post(url, payload)
    assert response.status_code == 302 and "/compte/connexion/" in response.url
    # read-only in scope: 403 (the training body's trainer for pathway-level changes)
    if not url_name.startswith("stage_") or url_name in ("stage_create", "stage_update"):
        assert client_for(world.user("trainer")).post(url, payload).status_code == 403
    # wrong method
    assert client_for(world.user("prescriber_adviser")).put(url).status_code == 405
    # allowed: the referent (the adviser) succeeds
    response = client_for(world.user("prescriber_adviser")).post(url, payload)
    assert response.status_code == 302, response.context["form"].errors if response.context else response


def test_the_trainer_records_the_life_of_a_stage_held_by_their_body(world, client_for):
    response = client_for(world.user("trainer")).post(
        reverse("pathways:stage_exit", args=[world.stage.pk]),
        {"status": "abandoned", "date": today().isoformat(), "reason": "Plus de nouvelles"},
    )
    assert response.status_code == 302
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.ABANDONED
    assert world.stage.transitions.get().by == world.user("trainer")


def test_a_trainer_cannot_move_a_stage_held_elsewhere_in_a_pathway_they_see(world, client_for):
    other_stage = StageFactory(pathway=world.pathway, organisation=world.prescriber, kind="orientation")
    response = client_for(world.user("trainer")).post(
        reverse("pathways:stage_start", args=[other_stage.pk]), {"date": today().isoformat()}
    )
    assert response.status_code == 403


def test_closing_with_an_active_stage_is_refused_with_a_message(world, client_for):
    response = client_for(world.user("prescriber_adviser")).post(
        reverse("pathways:pathway_close", args=[world.pathway.pk]), {"reason": "Fin"}
    )
    # the world's pathway has a stage in progress
    assert response.status_code == 200
    assert "enregistrez leur sortie" in response.content.decode()
    world.pathway.refresh_from_db()
    assert world.pathway.status == Pathway.Status.OPEN


def test_another_regions_pathway_is_invisible(world, client_for):
    from tests.pathways.factories import OrganisationFactory, RegionFactory

    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    foreign = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=other_region), opened_by=OrganisationFactory(region=other_region)
    )
    for role in ("prescriber_adviser", "regional_officer", "org_manager"):
        assert client_for(world.user(role)).get(foreign.get_absolute_url()).status_code == 404
