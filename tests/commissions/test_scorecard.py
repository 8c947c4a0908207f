"""PROXIMITÉ on the commitment scorecard: meetings held against the cadence, attendance per member organisation,
decisions closed on time, on hand-built commissions whose answer is known (frozen clock: 10 March 2026)."""

import datetime

import pytest

from commissions import scorecard as proximity
from commissions.models import AgendaItem, Commission, Meeting, MeetingAttendance
from commissions.services.meetings import decision_create
from dashboards import scorecard as sc
from notifications.models import Todo
from notifications.todos import todo_done
from tests.charter.factories import first_version
from tests.commissions.conftest import PARIS, at
from tests.dashboards.test_scorecard import cells, plain, row_of, validated

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 12, 1)
END = datetime.date(2026, 3, 1)  # 91 days: 13 weeks, two meetings expected every 6 weeks


def meeting(commission, day, status=Meeting.Status.HELD, hour=14, present=()):
    m = Meeting.objects.create(commission=commission, starts_at=at(day, hour), status=status)
    for org, user, is_present in present:
        MeetingAttendance.objects.create(meeting=m, organisation=org, user=user, present=is_present)
    return m


@pytest.fixture
def meetings(place, commission):
    """Three held meetings of the Bordeaux commission in the period (the last on its last day, in the evening), a
    cancelled one, a held one the day before the period; the Libourne commission (training body only, once a year)
    met never."""
    tb, pr = place.training_body, place.prescriber
    other = commission.organisations.exclude(pk__in=[tb.pk, pr.pk]).get()
    place.other = other
    meeting(
        commission,
        datetime.date(2025, 12, 10),
        present=[(tb, place.trainer, True), (pr, place.adviser, False), (other, place.other_adviser, True)],
    )
    second = meeting(
        commission,
        datetime.date(2026, 1, 20),
        present=[(tb, place.trainer, True), (pr, place.adviser, True), (other, place.other_adviser, False)],
    )
    meeting(commission, datetime.date(2026, 2, 10), status=Meeting.Status.CANCELLED)
    meeting(commission, datetime.date(2026, 3, 1), hour=20, present=[(pr, place.adviser, True)])
    meeting(commission, datetime.date(2025, 11, 30), present=[(tb, place.trainer, True)])
    libourne = Commission.objects.create(basin=place.other_basin, name="Commission de Libourne", cadence_weeks=52)
    Commission.objects.filter(pk=libourne.pk).update(created_at=paris(datetime.date(2025, 1, 6), 9))  # set up long ago
    libourne.organisations.add(tb)
    place.second = second
    return place


def decide(place, meeting, owner, due_on, *, done_at=None, cancelled=False):
    item = AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.OTHER, title="Point", proposed=False)
    decision = decision_create(item=item, by=place.coordinator, action="Appeler", owner=owner, due_on=due_on)
    if done_at is not None:
        Todo.objects.filter(source_key=decision.source_key).update(done_at=done_at, done_by=owner)
    if cancelled:
        Todo.objects.filter(source_key=decision.source_key).update(cancelled_at=at(due_on))
    return decision


def paris(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def test_expected_meetings_are_the_period_s_weeks_over_the_cadence_rounded_down_at_least_one():
    assert proximity.expected_meetings(6, START, END) == 2  # 13 weeks
    assert proximity.expected_meetings(1, START, END) == 13
    assert proximity.expected_meetings(52, START, END) == 1  # never less than one
    assert proximity.expected_meetings(6, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)) == 8  # 52 weeks


def test_expected_meetings_count_from_when_the_commission_began():
    assert proximity.expected_meetings(1, START, END, since=datetime.date(2025, 11, 1)) == 13  # before the period
    assert proximity.expected_meetings(1, START, END, since=datetime.date(2026, 2, 1)) == 4  # 29 days
    assert proximity.expected_meetings(6, START, END, since=datetime.date(2026, 2, 25)) == 1  # at least one
    assert proximity.expected_meetings(6, START, END, since=datetime.date(2026, 3, 2)) == 0  # set up after it


def test_a_commission_set_up_during_the_period_is_expected_to_meet_only_since(place, commission):
    """A commission set up three weeks before the end of a 13-week period, meeting weekly, that met twice: 2 out
    of 3, not 2 out of 13."""
    Commission.objects.filter(pk=commission.pk).update(created_at=paris(datetime.date(2026, 2, 9), 9), cadence_weeks=1)
    meeting(commission, datetime.date(2026, 2, 10))
    meeting(commission, datetime.date(2026, 2, 24))
    measured = proximity.measure(place.region, START, END, today=datetime.date(2026, 3, 10))
    assert measured[proximity.MEETINGS].total == (2, 3)
    libourne = Commission.objects.create(basin=place.other_basin, name="Commission de Libourne", cadence_weeks=6)
    assert libourne.created_at.date() > END  # set up after the period: nothing expected of it
    assert proximity.measure(place.region, START, END)[proximity.MEETINGS].total == (2, 3)


def test_meetings_held_against_the_cadence_are_the_basin_s_figure_summed_over_an_organisation_s_commissions(
    meetings,
):
    place = meetings
    figures = proximity.measure(place.region, START, END)[proximity.MEETINGS]
    # Bordeaux held 3 of its 2 expected (the cancelled one, the one before the period do not count); Libourne 0 of 1.
    assert figures.by_organisation[place.prescriber.pk] == (3, 2)
    assert figures.by_organisation[place.other.pk] == (3, 2)
    assert figures.by_organisation[place.training_body.pk] == (3, 3)
    assert place.funder.pk not in figures.by_organisation
    assert figures.total == (3, 3)


def test_attendance_counts_the_held_meetings_where_the_organisation_had_a_delegate_present(meetings):
    place = meetings
    figures = proximity.measure(place.region, START, END)[proximity.ATTENDANCE]
    assert figures.by_organisation[place.training_body.pk] == (2, 3)
    assert figures.by_organisation[place.prescriber.pk] == (2, 3)  # the evening of the last day counts
    assert figures.by_organisation[place.other.pk] == (1, 3)
    assert figures.total == (5, 9)


def test_decisions_closed_on_time_are_read_from_their_to_do_s_done_date_in_local_time(meetings):
    place = meetings
    m = place.second
    decide(place, m, place.trainer, datetime.date(2026, 1, 31), done_at=paris(datetime.date(2026, 1, 31), 23, 30))
    # Done at 00:30 in Paris on 1 February (still 31 January in UTC): one day late.
    decide(place, m, place.trainer, datetime.date(2026, 1, 31), done_at=paris(datetime.date(2026, 2, 1), 0, 30))
    decide(place, m, place.trainer, datetime.date(2026, 2, 20))  # never done
    decide(place, m, place.trainer, datetime.date(2026, 3, 5))  # due after the period
    decide(place, m, place.trainer, datetime.date(2026, 2, 25), cancelled=True)  # its action was cancelled
    decide(place, m, place.adviser, datetime.date(2026, 2, 10), done_at=paris(datetime.date(2026, 2, 1), 9))
    figures = proximity.measure(place.region, START, END)[proximity.DECISIONS]
    assert figures.by_organisation[place.training_body.pk] == (1, 3)
    assert figures.by_organisation[place.prescriber.pk] == (1, 1)
    assert figures.by_organisation[place.other.pk] == (0, 0)
    assert figures.total == (2, 4)


def test_a_decision_not_yet_due_counts_only_once_done(meetings):
    place = meetings
    m = place.second
    decide(place, m, place.trainer, datetime.date(2026, 3, 20))  # due in ten days: not late yet
    done = decide(place, m, place.trainer, datetime.date(2026, 3, 25))
    todo_done(todo=Todo.objects.get(source_key=done.source_key), by=place.trainer)  # today, before its date
    decide(place, m, place.trainer, datetime.date(2026, 3, 9))  # due yesterday, not done
    figures = proximity.measure(place.region, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert figures[proximity.DECISIONS].by_organisation[place.training_body.pk] == (1, 2)


@pytest.fixture
def signed(meetings):
    """The training body, the prescriber and a non-member training body signed the charter and were validated."""
    from tests.pathways.factories import OrganisationFactory

    place = meetings
    first_version(place.region)
    place.outsider = OrganisationFactory(name="AFPA Bègles", region=place.region)
    for org in (place.training_body, place.prescriber, place.outsider):
        validated(org, place.officer)
    return place


def test_the_scorecard_shows_proximity_beside_the_other_commitments(signed):
    place = signed
    card = sc.build_scorecard(region=place.region, start=START, end=END)
    assert [c.code for c in card.commitments][-1] == "proximite"
    assert "proximite" not in {c.code for c in card.unmeasured}
    prescriber = cells(card, row_of(card, place.prescriber))
    # Meetings and decisions are not people: no small-count rule, even outside the organisation.
    assert plain(prescriber[proximity.MEETINGS].text) == "150,0 % (3 / 2)"
    assert plain(prescriber[proximity.ATTENDANCE].text) == "66,7 % (2 / 3)"
    own = sc.build_scorecard(region=place.region, start=START, end=END, own=[place.prescriber])
    mine = cells(own, own.rows[0])
    assert plain(mine[proximity.MEETINGS].text) == "150,0 % (3 / 2)"
    assert plain(mine[proximity.ATTENDANCE].text) == "66,7 % (2 / 3)"
    assert plain(mine[proximity.DECISIONS].text) == "— (aucune décision échue)"


def test_an_organisation_member_of_no_commission_is_shown_a_dash_with_the_reason(signed, client_for):
    from django.urls import reverse

    place = signed
    card = sc.build_scorecard(region=place.region, start=START, end=END)
    outsider = cells(card, row_of(card, place.outsider))
    for slug in (proximity.MEETINGS, proximity.ATTENDANCE, proximity.DECISIONS):
        assert not outsider[slug].applicable
        assert plain(outsider[slug].text) == "— (pas membre d'une commission de bassin)"
    response = client_for(place.officer).get(
        reverse("dashboards:scorecard", args=[place.region.code]),
        {"period": "custom", "start": START.isoformat(), "end": END.isoformat()},
    )
    assert response.status_code == 200
    body = response.content.decode().replace("&#x27;", "'")
    assert "pas membre d'une commission de bassin" in body
    assert f"#indicateur-{proximity.MEETINGS}" in body


def test_the_definitions_page_defines_each_proximity_indicator(client_for, place):
    from django.urls import reverse

    text = client_for(place.officer).get(reverse("dashboards:indicators")).content.decode().replace("&#x27;", "'")
    for indicator in proximity.INDICATORS:
        assert f'id="{indicator.anchor}"' in text
        assert str(indicator.definition)[:60] in text
    assert "arrondies à l'entier inférieur, au moins 1 ; aucune pour une commission créée après la période" in text
    assert "Structures membres d'une commission de bassin de la région" in text
