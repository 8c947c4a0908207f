"""Each absence rule with a frozen clock, its configuration per programme and training action, and the days the
rules skip (cancelled half-days, company periods); evaluation opens each drift once and closes it on return."""

import datetime

import pytest

from attendance.models import AbsenceRules, CompanyPeriod, Drift
from attendance.services import evaluate_session, slot_cancel
from pathways.models import Stage
from tests.attendance.conftest import START

D = datetime.date


def evaluate(klass, today):
    return evaluate_session(session_id=klass.session.pk, today=today)


def live(klass, stage=None):
    drifts = Drift.objects.live()
    if stage is not None:
        drifts = drifts.filter(stage=stage)
    return {(d.stage_id, d.reason): d for d in drifts}


# ---------------------------------------------------------------------------------------------------------------
# K consecutive unjustified half-days (default 2)


def test_two_consecutive_unjustified_half_days_open_a_drift(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 11), "present")
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified", periods=("am",))
    evaluate(klass, D(2026, 5, 12))
    assert not live(klass)
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified", periods=("pm",))
    evaluate(klass, D(2026, 5, 12))
    drift = live(klass)[(inès.pk, Drift.Reason.CONSECUTIVE)]
    assert drift.detail == {"count": 2}
    assert drift.explanation == "2 demi-journées consécutives non justifiées"


def test_justified_absences_do_not_count(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_justified", reason="illness")
    klass.mark(inès, D(2026, 5, 13), "absent_justified", reason="illness")
    evaluate(klass, D(2026, 5, 13))
    assert not live(klass)


def test_a_cancelled_half_day_between_two_absences_is_skipped(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified", periods=("pm",))
    klass.mark(inès, D(2026, 5, 13), "present", periods=("am",))
    slot_cancel(slot=klass.slot(D(2026, 5, 13), "am"), by=klass.trainer, reason="Fermeture")
    klass.mark(inès, D(2026, 5, 13), "absent_unjustified", periods=("pm",))
    evaluate(klass, D(2026, 5, 13))
    assert live(klass)[(inès.pk, Drift.Reason.CONSECUTIVE)].detail == {"count": 2}


def test_the_threshold_is_set_per_programme_and_overridden_per_training_action(klass):
    inès = klass.stages[0]
    for day in (D(2026, 5, 11), D(2026, 5, 12)):
        klass.mark(inès, day, "absent_unjustified")  # 4 half-days
    AbsenceRules.objects.create(programme=klass.programme, consecutive_unjustified=5)
    evaluate(klass, D(2026, 5, 12))
    assert (inès.pk, Drift.Reason.CONSECUTIVE) not in live(klass)
    AbsenceRules.objects.create(training_action=klass.action, consecutive_unjustified=4)
    evaluate(klass, D(2026, 5, 12))
    assert live(klass)[(inès.pk, Drift.Reason.CONSECUTIVE)].detail == {"count": 4}


# ---------------------------------------------------------------------------------------------------------------
# Attendance under R % over W days (default 80 % over 10 days)


def test_a_low_attendance_rate_over_the_window_opens_a_drift(klass):
    karim = klass.stages[1]
    # 11–13 May and 15 May: present mornings, absent afternoons → 50 %, never two unjustified in a row.
    for day in (D(2026, 5, 11), D(2026, 5, 12), D(2026, 5, 13), D(2026, 5, 15)):
        klass.mark(karim, day, "present", periods=("am",))
        klass.mark(karim, day, "absent_unjustified", periods=("pm",))
    klass.mark(karim, D(2026, 5, 18), "present")
    evaluate(klass, D(2026, 5, 18))
    drifts = live(klass, karim)
    assert set(drifts) == {(karim.pk, Drift.Reason.LOW_RATE)}
    assert drifts[(karim.pk, Drift.Reason.LOW_RATE)].detail == {"rate": 60, "days": 10, "threshold": 80}
    assert drifts[(karim.pk, Drift.Reason.LOW_RATE)].explanation == "assiduité 60 % sur 10 jours (seuil 80 %)"


def test_old_absences_leave_the_window(klass):
    karim = klass.stages[1]
    for day in (D(2026, 5, 4), D(2026, 5, 5), D(2026, 5, 6)):
        klass.mark(karim, day, "present", periods=("am",))
        klass.mark(karim, day, "absent_unjustified", periods=("pm",))
    for day in (D(2026, 5, 18), D(2026, 5, 19), D(2026, 5, 20)):
        klass.mark(karim, day, "present")
    evaluate(klass, D(2026, 5, 20))  # the window is 11–20 May: only presences
    assert not live(klass, karim)


def test_late_counts_as_attended_and_excused_is_neutral(klass):
    zoé = klass.stages[2]
    for day in (D(2026, 5, 11), D(2026, 5, 12)):
        klass.mark(zoé, day, "late")
    for day in (D(2026, 5, 13), D(2026, 5, 15)):
        klass.mark(zoé, day, "excused")
    evaluate(klass, D(2026, 5, 15))
    assert not live(klass, zoé)


# ---------------------------------------------------------------------------------------------------------------
# No-show at the first day


def test_absent_on_the_first_day_is_a_no_show(klass):
    inès = klass.stages[0]
    Stage.objects.filter(pk=inès.pk).update(actual_start=D(2026, 5, 18), planned_start=D(2026, 5, 18))
    klass.mark(inès, D(2026, 5, 18), "absent_unjustified", periods=("am",))
    klass.mark(inès, D(2026, 5, 18), "absent_justified", periods=("pm",), reason="family")
    evaluate(klass, D(2026, 5, 18))
    assert not live(klass, inès)  # a justified afternoon: not a no-show
    klass.mark(inès, D(2026, 5, 18), "absent_unjustified", periods=("pm",))
    evaluate(klass, D(2026, 5, 18))
    assert live(klass, inès)[(inès.pk, Drift.Reason.NO_SHOW)].explanation == "absent·e au démarrage"


def test_the_no_show_rule_can_be_switched_off(klass):
    inès = klass.stages[0]
    AbsenceRules.objects.create(programme=klass.programme, no_show_first_day=False, consecutive_unjustified=9)
    klass.mark(inès, START, "absent_unjustified")
    evaluate(klass, START)
    assert not live(klass, inès)


# ---------------------------------------------------------------------------------------------------------------
# Company periods, idempotency, return


def test_company_days_are_skipped_by_the_rules(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 11), "absent_unjustified", periods=("pm",))
    CompanyPeriod.objects.create(
        session=klass.session, stage=inès, kind="immersion", start_date=D(2026, 5, 12), end_date=D(2026, 5, 12)
    )
    klass.mark(inès, D(2026, 5, 12), "present")  # recorded by mistake while in company: ignored
    klass.mark(inès, D(2026, 5, 13), "absent_unjustified", periods=("am",))
    evaluate(klass, D(2026, 5, 13))
    assert live(klass, inès)[(inès.pk, Drift.Reason.CONSECUTIVE)].detail == {"count": 2}


def test_a_group_company_period_applies_to_everyone(klass):
    CompanyPeriod.objects.create(
        session=klass.session, kind="alternance", start_date=D(2026, 5, 11), end_date=D(2026, 5, 13)
    )
    for stage in klass.stages:
        for day in (D(2026, 5, 11), D(2026, 5, 12), D(2026, 5, 13)):
            klass.mark(stage, day, "absent_unjustified")
    evaluate(klass, D(2026, 5, 13))
    assert not live(klass)


def test_evaluating_twice_opens_each_drift_once(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified")
    first = evaluate(klass, D(2026, 5, 12))
    second = evaluate(klass, D(2026, 5, 12))
    assert first["opened"] == 1 and second["opened"] == 0
    assert Drift.objects.filter(stage=inès).count() == 1


def test_the_run_growing_refreshes_the_drift_instead_of_opening_another(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    klass.mark(inès, D(2026, 5, 13), "absent_unjustified")
    evaluate(klass, D(2026, 5, 13))
    drift = Drift.objects.get(stage=inès, reason=Drift.Reason.CONSECUTIVE)
    assert drift.detail == {"count": 4} and drift.risk == 60


def test_coming_back_closes_an_open_drift(klass, frozen):
    inès = klass.stages[0]
    frozen(D(2026, 5, 12))
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    klass.mark(inès, D(2026, 5, 13), "present")
    evaluate(klass, D(2026, 5, 13))
    drift = Drift.objects.get(stage=inès, reason=Drift.Reason.CONSECUTIVE)
    assert (drift.status, drift.closure) == (Drift.Status.CLOSED, Drift.Closure.CAME_BACK)
    # Half the window absent is still a low rate: that drift is its own.
    assert Drift.objects.get(stage=inès, reason=Drift.Reason.LOW_RATE).status == Drift.Status.OPEN


def test_an_ended_stage_closes_its_open_drifts(klass):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    Stage.objects.filter(pk=inès.pk).update(status=Stage.Status.ABANDONED, actual_end=D(2026, 5, 13))
    evaluate(klass, D(2026, 5, 13))
    assert Drift.objects.get(stage=inès).closure == Drift.Closure.STAGE_ENDED


@pytest.mark.parametrize("status", ["present", "late"])
def test_presence_resets_the_run(klass, status):
    inès = klass.stages[0]
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified", periods=("am",))
    klass.mark(inès, D(2026, 5, 12), status, periods=("pm",))
    klass.mark(inès, D(2026, 5, 13), "absent_unjustified", periods=("am",))
    evaluate(klass, D(2026, 5, 13))
    assert not live(klass, inès)


def test_a_closed_no_show_never_reopens(klass):
    from attendance.services import follow_up_record

    inès = klass.stages[0]
    klass.mark(inès, START, "absent_unjustified")
    evaluate(klass, START)
    drift = live(klass, inès)[(inès.pk, Drift.Reason.NO_SHOW)]
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome="reached")
    klass.mark(inès, D(2026, 5, 5), "present")
    evaluate(klass, D(2026, 5, 5))
    evaluate(klass, D(2026, 5, 6))
    assert (inès.pk, Drift.Reason.NO_SHOW) not in live(klass, inès)
    assert Drift.objects.filter(stage=inès, reason=Drift.Reason.NO_SHOW).count() == 1


def test_a_drift_closed_while_its_rule_holds_reopens_only_on_a_new_absence(klass, frozen):
    from attendance.services import follow_up_record

    karim = klass.stages[1]
    frozen(D(2026, 5, 12))
    klass.mark(karim, D(2026, 5, 12), "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    drift = live(klass, karim)[(karim.pk, Drift.Reason.CONSECUTIVE)]
    follow_up_record(drift=drift, by=klass.trainer, channel="call", outcome="reached")
    evaluate(klass, D(2026, 5, 12))  # the two absences still stand, but they were dealt with
    assert not live(klass, karim)
    klass.mark(karim, D(2026, 5, 13), "absent_unjustified")
    evaluate(klass, D(2026, 5, 13))
    assert (karim.pk, Drift.Reason.CONSECUTIVE) in live(klass, karim)


def test_a_corrected_mark_resolves_the_drift(klass, frozen):
    inès = klass.stages[0]
    frozen(D(2026, 5, 12))
    klass.mark(inès, D(2026, 5, 12), "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    klass.mark(inès, D(2026, 5, 12), "absent_justified", reason="illness")  # the sick note arrived
    evaluate(klass, D(2026, 5, 12))
    assert Drift.objects.get(stage=inès).closure == Drift.Closure.RESOLVED


def test_the_evaluation_is_enqueued_on_commit_only(klass, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import transaction

    from attendance import tasks

    enqueued = []
    monkeypatch.setattr(tasks.evaluate_session_task, "delay", enqueued.append)
    with pytest.raises(RuntimeError), transaction.atomic():
        klass.mark(klass.stages[0], D(2026, 5, 11), "present")
        raise RuntimeError("the save failed")
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for day in (D(2026, 5, 11), D(2026, 5, 12)):
                klass.mark(klass.stages[0], day, "present")
    assert enqueued and set(enqueued) == {klass.session.pk}


def test_evaluating_twice_opens_nothing_more(klass):
    for day in (D(2026, 5, 11), D(2026, 5, 12)):
        klass.mark(klass.stages[0], day, "absent_unjustified")
    evaluate(klass, D(2026, 5, 12))
    drifts = list(Drift.objects.values_list("pk", "status"))
    assert drifts
    evaluate(klass, D(2026, 5, 12))
    assert list(Drift.objects.values_list("pk", "status")) == drifts
