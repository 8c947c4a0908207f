"""`commissions.demo`: each basin with activity gets a commission with a past meeting (attendance, decisions) and a
next meeting with its proposed agenda; a second run changes nothing."""

import datetime

from commissions.demo import build_demo_reports, seed_commissions
from commissions.models import AgendaItem, Commission, CommissionReport, Meeting
from core.pdf import weasyprint_available
from notifications.models import Todo
from pathways.models import Stage
from tests.pathways.factories import EnrolmentFactory, StageFactory
from tests.ruptures.declaring import declare


def test_each_active_basin_gets_a_commission_with_a_past_and_a_next_meeting(world):
    declare(world)  # on the next agenda
    start = world.today - datetime.timedelta(days=90)
    suspended = StageFactory(  # its planned resume had passed at the past meeting
        pathway=world.pathway,
        organisation=world.training_body,
        status=Stage.Status.SUSPENDED,
        planned_start=start,
        actual_start=start,
        suspended_since=world.today - datetime.timedelta(days=60),
        planned_resume=world.today - datetime.timedelta(days=30),
    )
    EnrolmentFactory(stage=suspended, session=world.session)
    counts = seed_commissions(region=world.region, today=world.today)
    assert counts == {"commissions": 1, "meetings": 2, "decisions": 1}
    commission = Commission.objects.get()
    assert commission.basin == world.basin
    past, upcoming = commission.meetings.order_by("starts_at")
    assert past.status == Meeting.Status.HELD
    assert past.attendances.filter(present=True).exists()
    decision = past.decisions.get()
    assert decision.item.stage == suspended
    assert Todo.objects.get(source_key=decision.source_key).done_at is not None  # the first decision is done
    assert upcoming.status == Meeting.Status.PLANNED and upcoming.starts_at.date() > world.today
    assert upcoming.items.filter(kind=AgendaItem.Kind.RUPTURE, stage=world.stage).exists()
    assert seed_commissions(region=world.region, today=world.today) == {"skipped": True}


def test_the_past_meeting_gets_its_report_built_once(world, monkeypatch):
    from commissions import report as report_module

    if not weasyprint_available()[0]:
        monkeypatch.setattr(report_module, "render_pdf", lambda template, context: b"%PDF-1.4 built")
    declare(world)
    seed_commissions(region=world.region, today=world.today)
    past = Meeting.objects.get(status=Meeting.Status.HELD)
    assert build_demo_reports(region=world.region) == 1
    report = CommissionReport.objects.get()
    assert report.meeting == past and report.version == CommissionReport.Version.WIDE
    assert report.status == CommissionReport.Status.READY and report.file
    assert build_demo_reports(region=world.region) == 0
