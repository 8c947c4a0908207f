"""The pathway page receives its stage panels from the apps above `pathways` (attendance, checklist, ruptures)."""

from django.utils import timezone

from attendance.models import Mark, Slot
from attendance.services import Entry, sheet_save
from tests.pathways.factories import EnrolmentFactory, StageFactory


def test_a_stage_in_a_session_without_marks_nor_drift_shows_no_attendance_block(world, client_for):
    second = StageFactory(
        pathway=world.pathway,
        organisation=world.training_body,
        status="in_progress",
        actual_start=world.stage.actual_start,
        planned_start=world.stage.planned_start,
    )
    EnrolmentFactory(stage=second, session=world.session)
    response = client_for(world.user("trainer")).get(world.pathway.get_absolute_url())
    assert response.status_code == 200
    # The world's stage has a live drift: its block is the only one.
    assert response.content.decode().count("Assiduité sur les demi-journées émargées") == 1


def test_the_panels_of_each_stage_are_shown(world, client_for):
    slot = Slot.objects.filter(session=world.session, date__lte=timezone.localdate()).order_by("-date").first()
    sheet_save(
        session=world.session,
        day=slot.date,
        by=world.user("trainer"),
        entries=[
            Entry(stage_id=world.stage.pk, slot_id=slot.pk, status=Mark.Status.PRESENT, reason="", seen_version=0)
        ],
        may_edit_locked=True,
    )
    body = client_for(world.user("trainer")).get(world.pathway.get_absolute_url()).content.decode()
    assert "Assiduité sur les demi-journées émargées" in body  # attendance
    assert "Check-list de sécurisation" in body and "Commencer la check-list" in body  # checklist
    assert "Déclarer une rupture" in body  # ruptures, among the stage's actions
