"""The scorecard on facts built by the rollups (`dashboards.rollups.rebuild`) from hand-built raw data: its figures
equal the reference functions (`ruptures.rates.rupture_rate`, `checklist.stats`), and the edges of its indicators'
definitions (30 days exactly, an immersion the same day, 2 working days over a weekend) give the known answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Alert
from checklist.stats import coverage_total, effect
from dashboards import rollups
from dashboards import scorecard as sc
from pathways.models import Membership, Stage
from ruptures.models import Rupture
from ruptures.rates import cohort_for, rupture_rate
from tests.accounts.factories import UserFactory
from tests.checklist.test_stats import checklisted, in_session
from tests.pathways.factories import OrganisationFactory, PathwayFactory, StageFactory
from tests.ruptures.test_rates import END, START, bulk_entrants, confirm_all, day, entrant

pytestmark = pytest.mark.django_db

Kind = Rupture.Kind
StageKind = Stage.Kind
Status = Stage.Status


def cells(card, row):
    return {indicator.slug: cell for indicator, cell in zip(card.indicators, row.cells, strict=True)}


def own_row(place, org=None):
    org = org or place.body
    card = sc.build_scorecard(region=place.region, start=START, end=END, own=[org])
    return cells(card, card.rows[0])


def test_the_fluidity_rate_and_the_checklist_figures_equal_the_reference_functions(place):
    by = place.user
    stages = bulk_entrants(place, 30)
    in_session(place, stages[:24])
    checklisted(place, stages[:14])  # submitted 3 days before the start: counted
    checklisted(place, stages[14:17], days_before=-2)  # after the start: not counted
    confirm_all([stages[0], stages[1], stages[15], stages[20], stages[26]], Kind.ABANDON, by=by)
    confirm_all([stages[2]], Kind.EXCLUSION, by=by)
    confirm_all([stages[3], stages[21]], Kind.INTERRUPTION, by=by)  # apart, never in the rate
    other_body = OrganisationFactory(region=place.region)
    other = bulk_entrants(place, 6)
    Stage.objects.filter(pk__in=[s.pk for s in other]).update(organisation=other_body)
    confirm_all(other[:3], Kind.ABANDON, by=by)

    rollups.rebuild()

    cohort = cohort_for(training_body=place.body)
    reference = rupture_rate(start=START, end=END, stages=cohort)
    coverage = coverage_total(start=START, end=END, stages=cohort)
    split = effect(start=START, end=END, stages=cohort)
    row = own_row(place)
    figure = row["fluidite-taux-de-rupture"]
    expected = (reference.ruptures, reference.entrants, reference.rate)
    assert (figure.numerator, figure.denominator, figure.value) == expected
    assert (figure.numerator, figure.denominator) == (6, 30)
    anticipation = row["anticipation-couverture"]
    assert (anticipation.numerator, anticipation.denominator, anticipation.value) == (
        coverage.with_checklist,
        coverage.entrants,
        coverage.rate,
    )
    assert (anticipation.numerator, anticipation.denominator) == (14, 24)
    for slug, rate in (
        ("fluidite-avec-check-list", split.with_checklist),
        ("fluidite-sans-check-list", split.without_checklist),
    ):
        cell = row[slug]
        assert (cell.numerator, cell.denominator, cell.value) == (rate.ruptures, rate.entrants, rate.rate)
    assert (row["fluidite-avec-check-list"].numerator, row["fluidite-sans-check-list"].numerator) == (3, 2)
    # The other training body's row is its own cohort's rate.
    other_rate = rupture_rate(start=START, end=END, stages=cohort_for(training_body=other_body))
    other_row = own_row(place, other_body)["fluidite-taux-de-rupture"]
    assert (other_row.numerator, other_row.denominator, other_row.value) == (3, 6, other_rate.rate)


def ended(place, pathway, *, on, kind=StageKind.QUALIFYING_TRAINING, status=Status.COMPLETED, organisation=None):
    start = on - datetime.timedelta(days=60)
    extra = {"exit_destination": Stage.ExitDestination.JOB} if status == Status.POSITIVE_EXIT else {}
    return StageFactory(
        **extra,
        pathway=pathway,
        kind=kind,
        organisation=organisation or place.body,
        programme=place.programme,
        planned_start=start,
        actual_start=start,
        planned_end=on,
        actual_end=on,
        status=status,
    )


def test_a_stage_is_followed_when_the_next_starts_30_days_after_its_end_and_not_31(place):
    end_day = day(3, 10)
    thirty = PathwayFactory(referent=place.user, opened_by=place.prescriber, prescribing_organisation=place.prescriber)
    ended(place, thirty, on=end_day)
    entrant(place, end_day + datetime.timedelta(days=30), pathway=thirty, organisation=place.prescriber)
    thirty_one = PathwayFactory(
        referent=place.user, opened_by=place.prescriber, prescribing_organisation=place.prescriber
    )
    ended(place, thirty_one, on=end_day)
    entrant(place, end_day + datetime.timedelta(days=31), pathway=thirty_one, organisation=place.prescriber)
    positive = PathwayFactory(referent=place.user, opened_by=place.prescriber)
    ended(place, positive, on=end_day, status=Status.POSITIVE_EXIT)  # a positive exit is a follow-up itself

    rollups.rebuild()

    body = own_row(place)["tracabilite-suite-30-jours"]
    assert (body.numerator, body.denominator) == (2, 3)
    prescriber = own_row(place, place.prescriber)["tracabilite-suite-30-jours"]
    assert (prescriber.numerator, prescriber.denominator) == (1, 2)


def test_an_immersion_starting_the_same_day_does_not_precede_the_training(place):
    start = day(4, 1)
    employer_org = OrganisationFactory(region=place.region)
    before = PathwayFactory(referent=place.user, opened_by=place.prescriber)
    the_day_before = start - datetime.timedelta(days=1)
    entrant(place, the_day_before, kind=StageKind.IMMERSION, pathway=before, organisation=employer_org)
    entrant(place, start, pathway=before)
    same_day = PathwayFactory(referent=place.user, opened_by=place.prescriber)
    entrant(place, start, kind=StageKind.IMMERSION, pathway=same_day, organisation=employer_org)
    entrant(place, start, pathway=same_day)
    entrant(place, start, kind=StageKind.PRE_QUALIFICATION)  # not a stage RÉALITÉ measures

    rollups.rebuild()

    cell = own_row(place)["realite-immersion"]
    assert (cell.numerator, cell.denominator, cell.value) == (1, 2, 50.0)


def at(date, hour):
    return datetime.datetime.combine(date, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def test_an_alert_acknowledged_two_working_days_later_over_a_weekend_is_on_time(place):
    friday = datetime.date(2025, 3, 7)
    stage = entrant(place, day(3, 3))
    on_time = {
        at(friday + datetime.timedelta(days=4), 9): True,  # Tuesday: Monday and Tuesday are 2 working days
        at(friday + datetime.timedelta(days=5), 9): False,  # Wednesday: 3
        at(friday, 17): True,  # the same day
        None: False,  # never acknowledged
    }
    for acknowledged in on_time:
        alert = Alert.objects.create(kind="rupture", stage=stage, inbox=place.prescriber)
        Alert.objects.filter(pk=alert.pk).update(
            created_at=at(friday, 16),
            acknowledged_at=acknowledged,
            status=Alert.Status.NEW if acknowledged is None else Alert.Status.ACKNOWLEDGED,
        )

    rollups.rebuild()

    cell = own_row(place, place.prescriber)["reactivite-acquittement"]
    assert (cell.numerator, cell.denominator, cell.value) == (2, 4, 50.0)


def test_the_export_holds_the_page_s_figures_with_small_counts_hidden(place, client):
    by = place.user
    stages = bulk_entrants(place, 12)
    in_session(place, stages)
    checklisted(place, stages[:9])
    confirm_all(stages[:2], Kind.ABANDON, by=by)
    rollups.rebuild()
    funder = OrganisationFactory(region=place.region, funder=True)
    officer = Membership.objects.create(user=UserFactory(), organisation=funder, role=Membership.Role.REGIONAL_OFFICER)
    place.region.scheme_organisation = funder
    place.region.save(update_fields=["scheme_organisation"])
    from tests.dashboards.test_scorecard import validated

    validated(place.body, officer.user)
    client.force_login(officer.user)
    url = reverse("dashboards:scorecard", args=[place.region.code])
    params = {"period": "custom", "start": START.isoformat(), "end": END.isoformat(), "table": "engagements"}
    response = client.get(url, {**params, "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").replace("\u00a0", " ").splitlines()
    assert lines[0].startswith("Structure;Type;FLUIDITÉ · Taux de rupture;")
    body_line = next(line for line in lines if line.startswith(place.body.name + ";"))
    cells_ = body_line.split(";")
    assert cells_[2] == "— (< 5 / 12, petit effectif)"  # 2 ruptures: hidden outside the organisation
    assert cells_[5] == "75,0 % (9 / 12)"  # the checklist coverage
    assert lines[-1].startswith("Ensemble de la région;")
    xlsx = client.get(url, {**params, "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    body_row = next(row for row in values if row[0] == place.body.name)
    assert body_row[2].replace("\u00a0", " ") == "— (< 5 / 12, petit effectif)"
