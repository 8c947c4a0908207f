"""The checklist's figures on hand-built cohorts whose answers are known: coverage, the rupture rate with and
without a checklist (the `ruptures` function, seed 000's 353 checklisted entrants and 25 ruptures: 7 %), and, per
item, how often it was at risk among those who broke and those who did not."""

import datetime

import pytest
from django.utils import timezone

from checklist.models import Answer, Checklist, ChecklistRevision
from checklist.stats import coverage, coverage_total, effect, item_effect
from pathways.models import Enrolment, Stage
from ruptures.models import Rupture
from ruptures.rates import RuptureRate, rupture_rate
from tests.accounts.factories import UserFactory
from tests.checklist.factories import first_template
from tests.pathways.factories import (
    BasinFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RegionFactory,
    SessionFactory,
    TrainingActionFactory,
)
from tests.ruptures.test_rates import END, MARCH, START, Place, bulk_entrants, confirm_all

pytestmark = pytest.mark.django_db

Kind = Rupture.Kind


@pytest.fixture
def place(db):
    """As the rupture rate's tests: a region, a basin, a training body, a prescriber, a programme, a user."""
    region = RegionFactory()
    return Place(
        region=region,
        basin=BasinFactory(region=region),
        body=OrganisationFactory(region=region),
        prescriber=OrganisationFactory(region=region, prescriber=True),
        programme=ProgrammeFactory(),
        user=UserFactory(),
    )


def in_session(place, stages, *, body=None, basin=None, title="ADVF"):
    """Put `stages` in a session of a training action of `body` (the place's by default) in `basin`."""
    body = body or place.body
    action = TrainingActionFactory(training_body=body, basin=basin or place.basin, title=title)
    session = SessionFactory(training_action=action, start_date=START, end_date=END, capacity=1000)
    Stage.objects.filter(pk__in=[s.pk for s in stages]).update(organisation=body)
    Enrolment.objects.bulk_create(Enrolment(stage=stage, session=session) for stage in stages)
    return stages


def checklisted(place, stages, *, days_before=3, risks=()):
    """A checklist submitted `days_before` the start (negative: after it), with `risks` at risk, the rest OK."""
    template = first_template()
    bodies = dict(Stage.objects.filter(pk__in=[s.pk for s in stages]).values_list("pk", "organisation"))
    items = [(i.code, i.label_fr, i.section.code) for s in template.sections.all() for i in s.items.all()]
    checklists = Checklist.objects.bulk_create(
        Checklist(
            stage=stage,
            template=template,
            organisation_id=bodies[stage.pk],
            created_by=place.user,
            status=Checklist.Status.SUBMITTED,
            consent=True,
            consent_scope=Checklist.ConsentScope.BOTH,
            consent_on=MARCH,
        )
        for stage in stages
    )
    when = timezone.make_aware(
        datetime.datetime.combine(MARCH - datetime.timedelta(days=days_before), datetime.time(10))
    )
    ChecklistRevision.objects.bulk_create(
        ChecklistRevision(
            checklist=checklist,
            number=1,
            submitted_at=when,
            submitted_by=place.user,
            answers={
                code: {"section": section, "label_fr": label, "answer": Answer.RISK if code in risks else Answer.OK}
                for code, label, section in items
            },
            risk_items=list(risks),
        )
        for checklist in checklists
    )


def test_seed_000_figure_353_checklisted_entrants_25_ruptures_is_7_percent(place):
    with_list = in_session(place, bulk_entrants(place, 353))
    without = in_session(place, bulk_entrants(place, 100), title="Autre")
    checklisted(place, with_list)
    confirm_all(with_list[:22], Kind.ABANDON, by=place.user)
    confirm_all(with_list[22:25], Kind.EXCLUSION, by=place.user)
    confirm_all(with_list[25:29], Kind.INTERRUPTION, by=place.user)
    confirm_all(without[:10], Kind.ABANDON, by=place.user)

    figures = effect(start=START, end=END)
    assert figures.with_checklist == RuptureRate(353, 25, 22, 3, 0, 0, 4, 0, 7.1)
    assert round(figures.with_checklist.rate) == 7
    assert (figures.without_checklist.entrants, figures.without_checklist.ruptures) == (100, 10)
    assert figures.without_checklist.rate == 10.0
    # The two halves make the whole: the same function, split.
    whole = rupture_rate(start=START, end=END)
    assert whole.entrants == 453 and whole.ruptures == 35
    assert rupture_rate(start=START, end=END, with_checklist=True) == figures.with_checklist


def test_a_checklist_submitted_after_the_start_does_not_count(place):
    early = in_session(place, bulk_entrants(place, 3))
    late = in_session(place, bulk_entrants(place, 2), title="Autre")
    checklisted(place, early, days_before=0)  # on the start day itself: in place
    checklisted(place, late, days_before=-2)
    assert coverage_total(start=START, end=END).with_checklist == 3
    assert rupture_rate(start=START, end=END, with_checklist=False).entrants == 2


def test_coverage_per_training_body_training_action_and_basin(place):
    other_body = OrganisationFactory(region=place.region, name="Zeta Formation")
    other_basin = BasinFactory(region=place.region, name="Libourne")
    a = in_session(place, bulk_entrants(place, 4), title="ADVF")
    b = in_session(place, bulk_entrants(place, 6), body=other_body, basin=other_basin, title="Cariste")
    checklisted(place, a[:3])
    checklisted(place, b[:3])
    # Entrants of another period are not counted.
    outside = in_session(place, bulk_entrants(place, 5, start=datetime.date(2024, 12, 2)), title="ADVF bis")
    checklisted(place, outside)

    by_body = {
        row.label: (row.entrants, row.with_checklist, row.rate)
        for row in coverage(start=START, end=END, by="training_body")
    }
    assert by_body == {place.body.name: (4, 3, 75.0), "Zeta Formation": (6, 3, 50.0)}
    by_action = {row.label: row.with_checklist for row in coverage(start=START, end=END, by="training_action")}
    assert by_action == {"ADVF": 3, "Cariste": 3}
    by_basin = {row.label: row.entrants for row in coverage(start=START, end=END, by="basin")}
    assert by_basin == {place.basin.name: 4, "Libourne": 6}
    total = coverage_total(start=START, end=END)
    assert (total.entrants, total.with_checklist, total.rate) == (10, 6, 60.0)


def test_how_often_an_item_was_at_risk_among_those_who_broke_and_the_others(place):
    stages = in_session(place, bulk_entrants(place, 40))
    broke, kept = stages[:10], stages[10:]
    checklisted(place, broke[:4], risks=("housing", "transport"))
    checklisted(place, broke[4:], risks=("transport",))
    checklisted(place, kept[:3], risks=("housing",))
    checklisted(place, kept[3:])
    confirm_all(broke, Kind.ABANDON, by=place.user)
    rows = {row.code: row for row in item_effect(start=START, end=END)}
    housing, transport, childcare = rows["housing"], rows["transport"], rows["childcare"]
    assert (housing.at_risk_broke, housing.broke, housing.share_broke) == (4, 10, 40.0)
    assert (housing.at_risk_kept, housing.kept, housing.share_kept) == (3, 30, 10.0)
    assert (transport.share_broke, transport.share_kept) == (100.0, 0.0)
    assert (childcare.at_risk_broke, childcare.at_risk_kept) == (0, 0)
    assert list(rows)[:3] == ["identity_document", "residence_permit", "social_security"]


@pytest.mark.parametrize("size", [10, 200])
def test_the_figures_take_the_same_few_queries_whatever_the_cohort(place, size, django_assert_max_num_queries):
    stages = in_session(place, bulk_entrants(place, size))
    checklisted(place, stages[: size // 2], risks=("housing",))
    confirm_all(stages[::5], Kind.ABANDON, by=place.user)
    with django_assert_max_num_queries(1):
        coverage(start=START, end=END, by="basin")
    with django_assert_max_num_queries(4):
        effect(start=START, end=END)
    with django_assert_max_num_queries(4):
        item_effect(start=START, end=END)
