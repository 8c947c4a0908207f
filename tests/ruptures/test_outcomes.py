"""Outcomes after a rupture, from the alert page: resume, suspend, re-orient, close; each in the pathway history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.models import Pathway, Stage, StageTransition
from ruptures import services
from ruptures.models import Rupture

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def declare(world, kind, **details):
    defaults = {"no_reminder_reason": "Injoignable."} if kind == Rupture.Kind.ABANDON else {}
    return services.rupture_declare(
        stage=world.stage,
        by=world.user("trainer"),
        kind=kind,
        main_cause="conditions.childcare",
        causes=[],
        identified_by="trainer",
        occurred_on=today() - 5 * DAY,
        **defaults,
        **details,
    )


def outcome_links(client, alert):
    page = client.get(alert.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    names = ("stage_resume", "stage_suspend", "stage_create", "pathway_close")
    objects = {"stage_resume": "stage", "stage_suspend": "stage", "stage_create": "pathway", "pathway_close": "pathway"}
    stage, pathway = alert.rupture.stage, alert.rupture.stage.pathway
    return {
        name
        for name in names
        if reverse(f"pathways:{name}", args=[(stage if objects[name] == "stage" else pathway).pk]) in content
    }


def test_after_an_interruption_the_referent_resumes_the_stage_from_the_alert_page(world, client_for):
    rupture = declare(world, Rupture.Kind.INTERRUPTION, planned_resume=today() + 10 * DAY)
    client = client_for(world.user("prescriber_adviser"))  # the referent
    assert outcome_links(client, rupture.alert) == {"stage_resume", "stage_create", "pathway_close"}

    response = client.post(reverse("pathways:stage_resume", args=[world.stage.pk]), {"date": today().isoformat()})
    assert response.status_code == 302
    world.stage.refresh_from_db()
    assert world.stage.status == Stage.Status.IN_PROGRESS
    history = list(world.stage.transitions.order_by("at", "pk").values_list("to_status", "by", "reason"))
    assert history[0] == ("suspended", world.user("trainer").pk, str(Rupture.Kind.INTERRUPTION.label))
    assert history[1][:2] == ("in_progress", world.user("prescriber_adviser").pk)
    # Back in training: the alert page now offers to suspend, no longer to resume.
    assert outcome_links(client, rupture.alert) == {"stage_suspend", "stage_create", "pathway_close"}


def test_after_an_abandon_a_new_stage_is_chained_and_the_waiting_gap_shows(world, client_for):
    rupture = declare(world, Rupture.Kind.ABANDON)
    client = client_for(world.user("prescriber_adviser"))
    assert outcome_links(client, rupture.alert) == {"stage_create", "pathway_close"}

    response = client.post(
        reverse("pathways:stage_create", args=[world.pathway.pk]),
        {"kind": "orientation", "organisation": world.prescriber.pk, "planned_start": (today() + 9 * DAY).isoformat()},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    new = world.pathway.stages.exclude(pk=world.stage.pk).get()
    assert (new.status, new.planned_start) == (Stage.Status.PLANNED, today() + 9 * DAY)
    page = client.get(world.pathway.get_absolute_url()).content.decode()
    # The abandoned stage ended 5 days ago, the new one starts in 9: a wait of 14 days.
    assert "Attente de 14 jours avant cette étape" in page
    assert StageTransition.objects.filter(stage=world.stage, to_status="abandoned").exists()


def test_after_an_abandon_the_pathway_is_closed_with_its_exit_reason(world, client_for):
    rupture = declare(world, Rupture.Kind.ABANDON)
    client = client_for(world.user("prescriber_adviser"))
    response = client.post(
        reverse("pathways:pathway_close", args=[world.pathway.pk]), {"reason": "Déménagement hors région"}
    )
    assert response.status_code == 302
    world.pathway.refresh_from_db()
    assert world.pathway.status == Pathway.Status.CLOSED
    assert "Déménagement hors région" in client.get(world.pathway.get_absolute_url()).content.decode()
    # The alert stays readable, with the closed pathway.
    assert client.get(rupture.alert.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["trainer", "regional_officer"])
def test_those_who_do_not_run_the_pathway_are_not_offered_the_outcomes(world, client_for, role):
    rupture = declare(world, Rupture.Kind.INTERRUPTION, planned_resume=today() + 10 * DAY)
    assert outcome_links(client_for(world.user(role)), rupture.alert) == set()
