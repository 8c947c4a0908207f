"""The session-day sheet: statuses and justification, the lock, two people editing at once, "all present", the
htmx confirmation, and who may open it."""

import datetime

import pytest
from django.urls import reverse

from attendance.models import CompanyPeriod, Mark, MarkChange
from attendance.services import Entry, sheet_mark_all_present, sheet_save, slot_cancel
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.pathways.factories import OrganisationFactory

DAY = datetime.date(2026, 5, 12)  # a Tuesday


@pytest.fixture
def today(frozen):
    frozen(DAY)
    return DAY


def url(klass, day=DAY):
    return reverse("attendance:sheet", args=[klass.session.pk, day.isoformat()])


def field(stage, slot):
    return f"{stage.pk}-{slot.pk}"


def post_data(klass, cells, versions=None):
    """cells: {(stage, period): (status, reason)}."""
    data = {}
    for (stage, period), (status, reason) in cells.items():
        key = field(stage, klass.slot(DAY, period))
        data[f"m-{key}"] = status
        data[f"r-{key}"] = reason
        data[f"v-{key}"] = (versions or {}).get((stage, period), 0)
    return data


def test_a_trainer_takes_the_morning_and_afternoon_in_one_post(klass, today, client_for):
    inès, karim, zoé = klass.stages
    cells = {
        (inès, "am"): ("present", ""),
        (inès, "pm"): ("late", ""),
        (karim, "am"): ("absent_justified", "job_interview"),
        (karim, "pm"): ("absent_unjustified", "illness"),  # a reason without justification is dropped
        (zoé, "am"): ("excused", ""),
    }
    response = client_for(klass.trainer).post(url(klass), post_data(klass, cells))
    assert response.status_code == 302
    marks = {(m.stage_id, m.slot.period): (m.status, m.reason) for m in Mark.objects.select_related("slot")}
    assert marks == {
        (inès.pk, "am"): ("present", ""),
        (inès.pk, "pm"): ("late", ""),
        (karim.pk, "am"): ("absent_justified", "job_interview"),
        (karim.pk, "pm"): ("absent_unjustified", ""),
        (zoé.pk, "am"): ("excused", ""),
    }
    assert MarkChange.objects.count() == 5
    assert set(Mark.objects.values_list("updated_by", flat=True)) == {klass.trainer.pk}


def test_saving_a_sheet_already_saved_says_it_is_up_to_date(klass, today, client_for):
    """Every change is saved as it happens; "Enregistrer la feuille" then answered with nothing (issue 21)."""
    inès = klass.stages[0]
    client = client_for(klass.trainer)
    data = post_data(klass, {(inès, "am"): ("present", "")})
    client.post(url(klass), data)
    again = post_data(klass, {(inès, "am"): ("present", "")}, versions={(inès, "am"): 1})
    page = client.post(url(klass), again, follow=True).content.decode()
    assert "Rien à enregistrer : la feuille est à jour." in page
    assert Mark.objects.get().version == 1


def test_a_justified_absence_without_reason_gets_other(klass, today):
    inès = klass.stages[0]
    slot = klass.slot(DAY)
    sheet_save(
        session=klass.session,
        day=DAY,
        by=klass.trainer,
        entries=[Entry(inès.pk, slot.pk, "absent_justified", "", 0)],
        may_edit_locked=False,
    )
    assert Mark.objects.get().reason == "other"


def test_htmx_saves_at_once_and_returns_the_new_versions(klass, today, client_for):
    inès = klass.stages[0]
    client = client_for(klass.trainer)
    response = client.post(url(klass), post_data(klass, {(inès, "am"): ("present", "")}), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    key = field(inès, klass.slot(DAY))
    assert "1 changement enregistré" in content
    assert f'id="v-{key}"' in content and 'value="1"' in content and 'hx-swap-oob="true"' in content
    # The next change, posted with the new version, is saved (not taken for someone else's).
    response = client.post(
        url(klass), post_data(klass, {(inès, "am"): ("late", "")}, {(inès, "am"): 1}), HTTP_HX_REQUEST="true"
    )
    assert "1 changement enregistré" in response.content.decode()
    assert Mark.objects.get().version == 2


def test_a_second_trainer_does_not_silently_overwrite_the_first(klass, today, client_for):
    inès, karim, _ = klass.stages
    colleague = Membership.objects.create(
        user=UserFactory(first_name="Paul", last_name="Roux"), organisation=klass.body, role=Membership.Role.TRAINER
    ).user
    # Both loaded the empty sheet (versions 0). The first saves Inès absent.
    client_for(klass.trainer).post(url(klass), post_data(klass, {(inès, "am"): ("absent_unjustified", "")}))
    # The second, still on the old sheet, marks Inès present and Karim present.
    response = client_for(colleague).post(
        url(klass),
        post_data(klass, {(inès, "am"): ("present", ""), (karim, "am"): ("present", "")}),
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert "pendant que vous saisissiez" in content and "Absence non justifiée" in content
    marks = {m.stage_id: m.status for m in Mark.objects.all()}
    assert marks == {inès.pk: "absent_unjustified", karim.pk: "present"}


def test_the_same_value_saved_by_two_people_is_no_conflict(klass, today):
    inès = klass.stages[0]
    slot = klass.slot(DAY)
    for user in (klass.trainer, klass.manager):
        result = sheet_save(
            session=klass.session,
            day=DAY,
            by=user,
            entries=[Entry(inès.pk, slot.pk, "present", "", 0)],
            may_edit_locked=False,
        )
        assert not result.conflicts


def test_an_old_sheet_is_locked_for_trainers_and_open_to_the_pedagogical_manager(klass, frozen, client_for):
    frozen(DAY + datetime.timedelta(days=10))
    inès = klass.stages[0]
    data = post_data(klass, {(inès, "am"): ("present", "")})
    response = client_for(klass.trainer).post(url(klass), data, HTTP_HX_REQUEST="true")
    assert "verrouillée" in response.content.decode()
    assert not Mark.objects.exists()
    page = client_for(klass.trainer).get(url(klass)).content.decode()
    assert "adressez-vous à votre responsable pédagogique" in page and "disabled" in page

    client_for(klass.manager).post(url(klass), data)
    change = MarkChange.objects.get()
    assert change.after_lock and change.by == klass.manager


def test_a_future_day_cannot_be_marked(klass, today):
    slot = klass.slot(DAY + datetime.timedelta(days=1))
    result = sheet_save(
        session=klass.session,
        day=slot.date,
        by=klass.trainer,
        entries=[Entry(klass.stages[0].pk, slot.pk, "present", "", 0)],
        may_edit_locked=False,
    )
    assert result.errors and not Mark.objects.exists()


def test_all_present_then_exceptions(klass, today, client_for):
    inès, karim, zoé = klass.stages
    klass.mark(karim, DAY, "absent_justified", periods=("am",), reason="illness")
    CompanyPeriod.objects.create(
        session=klass.session, stage=zoé, kind=CompanyPeriod.Kind.IMMERSION, start_date=DAY, end_date=DAY
    )
    slot_cancel(slot=klass.slot(DAY, "pm"), by=klass.trainer, reason="Grève des transports")
    response = client_for(klass.trainer).post(
        reverse("attendance:sheet_all_present", args=[klass.session.pk, DAY.isoformat()]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    marks = {(m.stage_id, m.slot.period): m.status for m in Mark.objects.select_related("slot")}
    # Karim keeps his justified absence; Zoé is in company; the cancelled afternoon takes no mark.
    assert marks == {(inès.pk, "am"): "present", (karim.pk, "am"): "absent_justified"}
    content = response.content.decode()
    assert "en entreprise" in content and "annulée" in content


def test_all_present_twice_adds_nothing(klass, today):
    first = sheet_mark_all_present(session=klass.session, day=DAY, by=klass.trainer, may_edit_locked=False)
    second = sheet_mark_all_present(session=klass.session, day=DAY, by=klass.trainer, may_edit_locked=False)
    assert len(first.saved) == 6 and second.saved == []


def test_a_save_enqueues_the_rule_evaluation_on_commit(klass, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sheet_save(
            session=klass.session,
            day=DAY,
            by=klass.trainer,
            entries=[Entry(klass.stages[0].pk, klass.slot(DAY).pk, "present", "", 0)],
            may_edit_locked=False,
        )
    assert len(callbacks) == 1


def test_marks_for_someone_not_in_the_session_are_ignored(klass, today):
    from tests.pathways.factories import StageFactory

    stranger = StageFactory()
    result = sheet_save(
        session=klass.session,
        day=DAY,
        by=klass.trainer,
        entries=[Entry(stranger.pk, klass.slot(DAY).pk, "present", "", 0)],
        may_edit_locked=False,
    )
    assert result.saved == [] and not Mark.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Who may open it


def test_the_sheet_lists_everyone_expected(klass, today, client_for):
    content = client_for(klass.trainer).get(url(klass)).content.decode()
    for name in ("Inès LEFÈVRE", "Karim BENALI", "Zoé MARTIN"):
        assert name in content
    assert "Matin : présence de Inès LEFÈVRE" in content  # every select has a label


def test_a_trainer_of_another_body_gets_404(klass, today, client_for):
    other = Membership.objects.create(user=UserFactory(), organisation=OrganisationFactory(), role="trainer").user
    client = client_for(other)
    assert client.get(url(klass)).status_code == 404
    assert client.post(url(klass), {}).status_code == 404
    assert not Mark.objects.exists()


def test_a_prescriber_gets_404(klass, today, client_for):
    adviser = Membership.objects.create(
        user=UserFactory(), organisation=OrganisationFactory(prescriber=True), role="prescriber_adviser"
    ).user
    assert client_for(adviser).get(url(klass)).status_code == 404


def test_anonymous_is_sent_to_log_in_and_put_is_refused(klass, today, client_for):
    assert client_for(None).get(url(klass)).status_code == 302
    assert client_for(klass.trainer).put(url(klass)).status_code == 405


def test_a_bad_date_is_404(klass, today, client_for):
    assert (
        client_for(klass.trainer).get(reverse("attendance:sheet", args=[klass.session.pk, "2026-13-45"])).status_code
        == 404
    )


def test_today_lists_the_sessions_running_today(klass, today, client_for):
    klass.session.trainers.add(klass.trainer)
    response = client_for(klass.trainer).get(reverse("attendance:today"))
    sessions = list(response.context["sessions"])
    assert sessions == [klass.session] and sessions[0].mine
    other = Membership.objects.create(user=UserFactory(), organisation=OrganisationFactory(), role="trainer").user
    assert list(client_for(other).get(reverse("attendance:today")).context["sessions"]) == []


def _changes(user):
    from accounts.models import AccessLog

    return sorted(
        AccessLog.objects.filter(user=user, action=AccessLog.Action.CHANGE).values_list(
            "beneficiary_id", "view_name", "acting_organisation_id"
        )
    )


def test_saving_marks_logs_one_change_per_person_whose_marks_were_saved(klass, today, client_for):
    inès, karim, _zoé = klass.stages
    cells = {(inès, "am"): ("present", ""), (inès, "pm"): ("late", ""), (karim, "am"): ("present", "")}
    client_for(klass.trainer).post(url(klass), post_data(klass, cells), HTTP_HX_REQUEST="true")
    assert _changes(klass.trainer) == sorted(
        (stage.pathway.beneficiary_id, "attendance:sheet", klass.body.pk) for stage in (inès, karim)
    )


def test_a_post_that_saves_nothing_logs_no_change(klass, today, client_for):
    inès = klass.stages[0]
    klass.mark(inès, DAY, "present", periods=("am",))
    versions = {(inès, "am"): Mark.objects.get(stage=inès).version}
    client_for(klass.trainer).post(url(klass), post_data(klass, {(inès, "am"): ("present", "")}, versions))
    assert _changes(klass.trainer) == []


def test_all_present_logs_a_change_for_each_person_marked(klass, today, client_for):
    inès, karim, zoé = klass.stages
    klass.mark(karim, DAY, "absent_justified", reason="illness")
    client_for(klass.trainer).post(reverse("attendance:sheet_all_present", args=[klass.session.pk, DAY.isoformat()]))
    assert _changes(klass.trainer) == sorted(
        (stage.pathway.beneficiary_id, "attendance:sheet_all_present", klass.body.pk) for stage in (inès, zoé)
    )
