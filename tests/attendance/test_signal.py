"""A drift the person signals themself (issue 17: "identified by the person"): it joins the training body's watch
list, and the absence rules' evaluation leaves it alone."""

import pytest
from django.core.exceptions import ValidationError

from attendance.models import Drift
from attendance.rules import explain
from attendance.services import drift_signal, evaluate_session
from pathways.models import Stage
from tests.pathways.factories import StageFactory

pytestmark = pytest.mark.django_db


def test_a_signal_opens_a_drift_on_the_watch_list(world):
    drift = drift_signal(stage=world.stage, by=world.user("facilitator"))
    assert drift.reason == Drift.Reason.SIGNAL
    assert drift.status == Drift.Status.OPEN
    assert drift.detail == {"identified_by": "person"}
    assert explain(drift) == "signalé par la personne elle-même"
    assert Drift.objects.for_user(world.user("trainer")).filter(pk=drift.pk).exists()
    assert not Drift.objects.for_user(world.user("facilitator")).exists()  # the watch list is the training body's


def test_the_rules_evaluation_does_not_close_a_signal(world):
    drift = drift_signal(stage=world.stage, by=world.user("facilitator"))
    evaluate_session(session_id=world.session.pk)
    drift.refresh_from_db()
    assert drift.status == Drift.Status.OPEN


def test_one_live_signal_per_stage(world):
    drift_signal(stage=world.stage, by=world.user("facilitator"))
    with pytest.raises(ValidationError, match="déjà ouvert"):
        drift_signal(stage=world.stage, by=world.user("facilitator"))
    assert Drift.objects.filter(reason=Drift.Reason.SIGNAL).count() == 1


def test_no_signal_on_an_ended_stage_or_outside_a_session(world):
    Stage.objects.filter(pk=world.stage.pk).update(status=Stage.Status.ABANDONED, actual_end=world.today)
    with pytest.raises(ValidationError, match="pas en cours"):
        drift_signal(stage=world.stage, by=world.user("facilitator"))
    stage = StageFactory(
        pathway=world.pathway,
        organisation=world.training_body,
        status=Stage.Status.IN_PROGRESS,
        actual_start=world.today,
    )
    with pytest.raises(ValidationError, match="aucune session"):
        drift_signal(stage=stage, by=world.user("facilitator"))
    assert not Drift.objects.filter(reason=Drift.Reason.SIGNAL).exists()
