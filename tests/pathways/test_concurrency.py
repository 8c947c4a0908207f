"""Two advisers taking the last seat of a session at the same moment: the row lock lets only one through.

Needs PostgreSQL (SQLite serialises every write anyway, so the race cannot happen there)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from pathways.models import Enrolment, Stage
from pathways.services.stages import stage_plan
from tests.accounts.factories import UserFactory
from tests.conftest import require_service
from tests.pathways.factories import PathwayFactory, SessionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_last_seat_goes_to_one_adviser_only():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    session = SessionFactory(capacity=1)
    body = session.training_action.training_body
    pathways = [PathwayFactory(), PathwayFactory()]
    by = UserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def take_seat(pathway):
        try:
            barrier.wait(timeout=10)
            stage_plan(
                pathway=pathway,
                by=by,
                kind=Stage.Kind.QUALIFYING_TRAINING,
                organisation=body,
                session=session,
                planned_start=timezone.localdate(),
            )
            outcomes.append("seated")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_seat, args=(p,)) for p in pathways]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["Cette session est complète (1 place).", "seated"]
    assert Enrolment.objects.filter(session=session).count() == 1
