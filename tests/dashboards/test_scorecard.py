"""The commitment scorecard: each indicator on hand-built facts whose answer is known, who the rows are for, the
small-count rule, the definitions page, access and query counts."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from charter.models import SignatureEvent
from dashboards import periods
from dashboards import scorecard as sc
from dashboards.models import AlertFact, StageFact
from pathways.models import Membership, Stage
from tests.accounts.factories import UserFactory
from tests.charter.factories import first_version, sign
from tests.pathways.factories import OrganisationFactory, RegionFactory, StageFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 12, 31)
ALERT_IDS = itertools.count(1)


def legal_representative(org):
    return Membership.objects.create(
        user=UserFactory(), organisation=org, role=Membership.Role.ORG_MANAGER, is_legal_representative=True
    ).user


def validated(org, officer):
    signature = sign(org, legal_representative(org))
    SignatureEvent.objects.create(
        signature=signature, kind=SignatureEvent.Kind.VALIDATED, by=officer, by_organisation=officer_org(officer)
    )
    return signature


def officer_org(officer):
    return Membership.objects.filter(user=officer).first().organisation


@pytest.fixture
def card_world(world):
    """The world's region runs the charter (the Région decides); the training body and the prescriber signed the
    version in force and were validated; the other training body signed, still pending."""
    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    first_version(world.region)
    officer = world.user("regional_officer")
    validated(world.training_body, officer)
    validated(world.prescriber, officer)
    sign(world.other_training_body, legal_representative(world.other_training_body))
    return world


def fact(world, *, started_on, organisation=None, prescriber=None, **columns):
    organisation = organisation or world.training_body
    stage = StageFactory(pathway=world.pathway, organisation=organisation, programme=world.programme)
    return StageFact.objects.create(
        stage=stage,
        pathway=world.pathway,
        region=world.region,
        basin=world.basin,
        organisation=organisation,
        prescriber=prescriber,
        kind=Stage.Kind.QUALIFYING_TRAINING,
        status=Stage.Status.COMPLETED,
        started_on=started_on,
        **columns,
    )


def alert(world, *, organisation, created, hours=None, within=False, region=None):
    at = datetime.datetime.combine(created, datetime.time(10), tzinfo=timezone.get_current_timezone())
    return AlertFact.objects.create(
        alert_id=next(ALERT_IDS),
        region=region or world.region,
        organisation=organisation,
        kind="rupture",
        created_at=at,
        hours_from_first_absence=hours,
        acknowledged_within_2_working_days=within,
    )


def plain(text):
    """A figure with its no-break spaces as plain spaces."""
    return str(text).replace("\u00a0", " ")


def cells(card, row):
    return {indicator.slug: cell for indicator, cell in zip(card.indicators, row.cells, strict=True)}


def row_of(card, org):
    return next(row for row in card.rows if row.pk == org.pk)


def training_body_facts(world):
    """Ten entrants of the training body in 2026 (eight in session, six of them with a checklist; four counted
    ruptures: two with a checklist, one without, one outside a session), and one more just before the period."""
    day = datetime.date(2026, 3, 2)
    for with_checklist, rupture, participant in [
        (True, True, True),
        (True, True, False),
        (True, False, True),
        (True, False, False),
        (True, False, False),
        (True, False, False),
        (False, True, True),
        (False, False, False),
    ]:
        fact(
            world,
            started_on=day,
            in_session=True,
            with_checklist=with_checklist,
            counted_rupture=rupture,
            participant=participant,
        )
    fact(world, started_on=START, counted_rupture=True, preceded_by_immersion=True)  # the first day counts
    fact(world, started_on=END, preceded_by_immersion=False)  # the last day counts
    fact(world, started_on=START - datetime.timedelta(days=1), counted_rupture=True, preceded_by_immersion=False)
    StageFact.objects.filter(counted_rupture=False, in_session=True, with_checklist=False).update(
        preceded_by_immersion=True
    )
    StageFact.objects.filter(participant=True, with_checklist=False).update(preceded_by_immersion=True)


def test_a_training_body_s_indicators_from_its_facts(card_world):
    world = card_world
    training_body_facts(world)
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    row = cells(card, row_of(card, world.training_body))
    figures = {
        slug: (cell.numerator, cell.denominator, cell.value)
        for slug, cell in row.items()
        if not cell.median and not sc.INDICATORS_BY_SLUG[slug].measured
    }
    assert figures == {
        "fluidite-taux-de-rupture": (4, 10, 40.0),
        "fluidite-avec-check-list": (2, 6, 33.3),
        "fluidite-sans-check-list": (1, 2, 50.0),
        "anticipation-couverture": (6, 8, 75.0),
        "realite-immersion": (3, 4, 75.0),
        "prevention-groupes-de-parole": (3, 8, 37.5),
        "reactivite-acquittement": (0, 0, None),
        "tracabilite-suite-30-jours": (0, 0, None),
    }


def test_traceability_counts_the_stages_ended_in_the_period(card_world):
    world = card_world
    before = START - datetime.timedelta(days=200)
    for ended_on, followed in [
        (START, True),
        (END, True),
        (datetime.date(2026, 6, 1), False),
        (datetime.date(2026, 6, 2), None),  # not an ended stage the indicator measures
        (END + datetime.timedelta(days=1), False),
    ]:
        fact(world, started_on=before, ended_on=ended_on, followed_within_30_days=followed, prescriber=world.prescriber)
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    for org in (world.training_body, world.prescriber):
        cell = cells(card, row_of(card, org))["tracabilite-suite-30-jours"]
        assert (cell.numerator, cell.denominator, cell.value) == (2, 3, 66.7)
    # They started before the period: no entrant.
    assert cells(card, row_of(card, world.training_body))["fluidite-taux-de-rupture"].denominator == 0


def test_a_prescriber_is_measured_on_the_stages_it_prescribed(card_world):
    world = card_world
    fact(world, started_on=datetime.date(2026, 5, 1), prescriber=world.prescriber, preceded_by_immersion=True)
    fact(world, started_on=datetime.date(2026, 5, 1), prescriber=world.prescriber, preceded_by_immersion=False)
    fact(world, started_on=datetime.date(2026, 5, 1), preceded_by_immersion=True)  # prescribed by nobody
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    prescriber = cells(card, row_of(card, world.prescriber))
    assert (prescriber["realite-immersion"].numerator, prescriber["realite-immersion"].denominator) == (1, 2)
    # A prescriber holds no session: the training bodies' indicators do not apply to it.
    assert not prescriber["anticipation-couverture"].applicable
    assert not prescriber["fluidite-taux-de-rupture"].applicable
    assert prescriber["fluidite-taux-de-rupture"].text == "—"
    body = cells(card, row_of(card, world.training_body))
    assert (body["realite-immersion"].numerator, body["realite-immersion"].denominator) == (2, 3)
    total = cells(card, card.total)
    assert (total["realite-immersion"].numerator, total["realite-immersion"].denominator) == (2, 3)


def test_reactivity_median_delay_and_acknowledgement_within_two_working_days(card_world):
    world = card_world
    day = datetime.date(2026, 4, 7)
    for hours, within in [(24, True), (48, True), (72, False), (120, False), (None, True)]:
        alert(world, organisation=world.prescriber, created=day, hours=hours, within=within)
    alert(world, organisation=world.prescriber, created=END + datetime.timedelta(days=1), hours=1, within=True)
    alert(world, organisation=world.training_body, created=START, hours=10, within=True)
    other_region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    alert(world, organisation=None, created=day, hours=5000, region=other_region)
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    prescriber = cells(card, row_of(card, world.prescriber))
    delay = prescriber["reactivite-delai-alerte"]
    assert (delay.denominator, delay.value) == (4, 2.5)  # the median of 1, 2, 3 and 5 days
    ack = prescriber["reactivite-acquittement"]
    assert (ack.numerator, ack.denominator, ack.value) == (3, 5, 60.0)
    total = cells(card, card.total)
    assert (total["reactivite-delai-alerte"].denominator, total["reactivite-delai-alerte"].value) == (5, 2.0)
    assert (total["reactivite-acquittement"].numerator, total["reactivite-acquittement"].denominator) == (4, 6)


def test_the_rows_are_the_validated_signatories_of_the_version_in_force(card_world):
    world = card_world
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    assert [row.name for row in card.rows] == sorted([world.training_body.name, world.prescriber.name])
    assert card.signatories == 2
    assert world.other_training_body.name not in [row.name for row in card.rows]  # pending validation


def test_small_counts_are_hidden_outside_the_organisation_and_exact_for_its_manager(card_world):
    world = card_world
    training_body_facts(world)
    staff = sc.build_scorecard(region=world.region, start=START, end=END)
    rate = cells(staff, row_of(staff, world.training_body))["fluidite-taux-de-rupture"]
    assert rate.hidden and plain(rate.text) == "— (< 5 / 10, petit effectif)"
    assert plain(cells(staff, row_of(staff, world.training_body))["anticipation-couverture"].text) == "75,0 % (6 / 8)"
    own = sc.build_scorecard(region=world.region, start=START, end=END, own=[world.training_body])
    assert [row.name for row in own.rows] == [world.training_body.name]
    assert plain(cells(own, own.rows[0])["fluidite-taux-de-rupture"].text) == "40,0 % (4 / 10)"
    # The region's total is seen outside the organisations it sums: the rule applies.
    assert plain(cells(own, own.total)["fluidite-taux-de-rupture"].text) == "— (< 5 / 10, petit effectif)"


def test_a_median_over_fewer_than_five_alerts_is_hidden_outside(card_world):
    world = card_world
    for hours in (24, 48):
        alert(world, organisation=world.prescriber, created=datetime.date(2026, 2, 2), hours=hours)
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    assert plain(cells(card, row_of(card, world.prescriber))["reactivite-delai-alerte"].text) == "— (sur < 5)"
    own = sc.build_scorecard(region=world.region, start=START, end=END, own=[world.prescriber])
    assert plain(cells(own, own.rows[0])["reactivite-delai-alerte"].text) == "1,5 j (sur 2)"


def test_the_commitments_data_cannot_measure_are_listed_with_why(card_world):
    card = sc.build_scorecard(region=card_world.region, start=START, end=END)
    assert [c.code for c in card.commitments] == [
        "fluidite",
        "anticipation",
        "realite",
        "prevention",
        "reactivite",
        "tracabilite",
        "proximite",  # registered by the commissions (`commissions.scorecard`)
    ]
    unmeasured = {c.code: c for c in card.unmeasured}
    assert set(unmeasured) == {"reversibilite", "neutralite", "decentration"}
    assert "Non mesurable par les données de l'application" in str(unmeasured["neutralite"].reason)


# --------------------------------------------------------------------------------------------------------------
# The pages


def page(client, world, **params):
    return client.get(reverse("dashboards:scorecard", args=[world.region.code]), params)


def test_regional_staff_see_every_signatory_s_row(card_world, client_for):
    world = card_world
    training_body_facts(world)
    for role in ("regional_officer", "basin_coordinator"):
        response = page(client_for(world.user(role)), world, period="custom", start="2026-01-01", end="2026-12-31")
        assert response.status_code == 200
        body = response.content.decode()
        assert world.training_body.name in body and world.prescriber.name in body
        assert "75,0\u00a0%" in body and "&lt; 5\u00a0/\u00a010" in body


def test_an_organisation_manager_sees_their_own_row_beside_the_region_s_total(card_world, client_for):
    world = card_world
    training_body_facts(world)
    response = page(client_for(world.user("org_manager")), world, period="custom", start="2026-01-01", end="2026-12-31")
    assert response.status_code == 200
    body = response.content.decode()
    assert world.training_body.name in body and world.prescriber.name not in body
    assert plain(response.context["card"].rows[0].cells[0].text) == "40,0 % (4 / 10)"
    assert "Ensemble de la région" in body


@pytest.mark.parametrize("role", ["trainer", "prescriber_adviser", "facilitator", "dpo", "outsider"])
def test_other_members_of_the_region_get_403(card_world, client_for, role):
    assert page(client_for(card_world.user(role)), card_world).status_code == 403


def test_regional_staff_of_another_region_get_404(card_world, client_for):
    other = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    funder = OrganisationFactory(region=other, funder=True)
    officer = Membership.objects.create(user=UserFactory(), organisation=funder, role=Membership.Role.REGIONAL_OFFICER)
    assert page(client_for(officer.user), card_world).status_code == 404
    manager = Membership.objects.create(
        user=UserFactory(), organisation=OrganisationFactory(region=other), role=Membership.Role.ORG_MANAGER
    )
    assert page(client_for(manager.user), card_world).status_code == 404


def test_an_unknown_region_is_404(card_world, client_for):
    client = client_for(card_world.user("regional_officer"))
    assert client.get(reverse("dashboards:scorecard", args=["zz"])).status_code == 404


def test_anonymous_is_sent_to_login(card_world, client_for):
    response = page(client_for(None), card_world)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(card_world, client_for):
    client = client_for(card_world.user("regional_officer"))
    assert client.post(reverse("dashboards:scorecard", args=[card_world.region.code])).status_code == 405
    assert client.post(reverse("dashboards:indicators")).status_code == 405


def test_an_absurd_period_reads_as_the_default(card_world, client_for):
    client = client_for(card_world.user("regional_officer"))
    response = page(client, card_world, period="custom", start="2026-13-01", end="hier")
    card = response.context["card"]
    expected = periods.last_12_months(timezone.localdate())
    assert (card.start, card.end) == (expected.start, expected.end)
    assert response.context["form"].errors


def test_a_quarter_of_the_dashboards_period_selector_is_the_scorecard_s_period(card_world, client_for):
    client = client_for(card_world.user("regional_officer"))
    card = page(client, card_world, period="quarter", year="2026", quarter="2").context["card"]
    assert (card.start, card.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def test_every_column_header_links_to_its_definition(card_world, client_for):
    client = client_for(card_world.user("regional_officer"))
    body = page(client, card_world).content.decode()
    definitions = client.get(reverse("dashboards:indicators"))
    assert definitions.status_code == 200
    text = definitions.content.decode()
    for indicator in sc.INDICATORS:
        assert f'{reverse("dashboards:indicators")}#{indicator.anchor}"' in body
        assert f'id="{indicator.anchor}"' in text
        assert str(indicator.definition)[:40] in text.replace("&#x27;", "'")
    assert 'id="indicateur-proximite-reunions-tenues"' in text
    assert text.count("Non mesurable par les données de l") == 3


def test_the_scorecard_reads_in_a_constant_number_of_queries(card_world, client_for, django_assert_max_num_queries):
    world = card_world
    client = client_for(world.user("regional_officer"))
    training_body_facts(world)
    alert(world, organisation=world.prescriber, created=datetime.date(2026, 2, 2), hours=3)
    # 14 for the facts' indicators, 4 for PROXIMITÉ (`commissions.scorecard`).
    with django_assert_max_num_queries(18):
        assert page(client, world, period="custom", start="2026-01-01", end="2026-12-31").status_code == 200
    for _ in range(5):
        org = OrganisationFactory(region=world.region)
        validated(org, world.user("regional_officer"))
        for _ in range(3):
            fact(world, organisation=org, started_on=datetime.date(2026, 2, 2), in_session=True)
            alert(world, organisation=org, created=datetime.date(2026, 2, 2), hours=3)
    commissions_with_meetings_and_decisions(world)
    with django_assert_max_num_queries(18):
        response = page(client, world, period="custom", start="2026-01-01", end="2026-12-31")
    card = response.context["card"]
    assert len(card.rows) == 7
    presence = cells(card, card.total)["proximite-presence"]
    assert presence.numerator == presence.denominator > 0  # the commissions were measured


def commissions_with_meetings_and_decisions(world):
    """Both basins' commissions, every organisation of the region a member with a delegate, each commission with
    four held meetings (everyone present) and a decision per delegate per meeting, one of them done."""
    from commissions.models import AgendaItem, Commission, Decision, Delegate, Meeting, MeetingAttendance
    from notifications.todos import todo_set

    orgs = list(world.region.organisations.all())
    for basin in (world.basin, world.other_basin):
        commission = Commission.objects.create(basin=basin, name=f"Commission {basin.name}", cadence_weeks=6)
        commission.organisations.set(orgs)
        delegates = []
        for org in orgs:
            user = UserFactory()
            Membership.objects.create(user=user, organisation=org, role=Membership.Role.ORG_MANAGER)
            delegates.append(Delegate.objects.create(commission=commission, organisation=org, user=user))
        for month in (2, 4, 6, 8):
            starts_at = datetime.datetime(2026, month, 3, 14, tzinfo=timezone.get_current_timezone())
            meeting = Meeting.objects.create(commission=commission, starts_at=starts_at, status=Meeting.Status.HELD)
            item = AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.OTHER, title="Point")
            for delegate in delegates:
                MeetingAttendance.objects.create(
                    meeting=meeting, organisation=delegate.organisation, user=delegate.user, present=True
                )
                decision = Decision.objects.create(
                    meeting=meeting, item=item, action="Appeler", owner=delegate.user, due_on=datetime.date(2026, 9, 1)
                )
                key, due = decision.source_key, decision.due_on
                todo = todo_set(source_key=key, owner=delegate.user, title="Appeler", due_on=due, by=None)
                if month == 2:
                    todo.done_at = timezone.now()
                    todo.save(update_fields=["done_at"])


def test_without_postgresql_the_median_is_computed_from_the_delays_with_the_same_answer(card_world, monkeypatch):
    """SQLite (the embedded default) has no median aggregate: the delays are read and the answer is the same."""
    world = card_world
    for org, hours in [(world.prescriber, 24), (world.prescriber, 48), (world.prescriber, 72), (world.prescriber, 96)]:
        alert(world, organisation=org, created=datetime.date(2026, 2, 2), hours=hours, within=hours < 50)
    alert(world, organisation=world.training_body, created=datetime.date(2026, 2, 2), hours=None, within=True)

    def figures():
        card = sc.build_scorecard(region=world.region, start=START, end=END)
        return [
            (cell.numerator, cell.denominator, cell.value) for row in [*card.rows, card.total] for cell in row.cells
        ]

    on_postgresql = figures()
    monkeypatch.setattr(sc.connection, "vendor", "sqlite")
    assert figures() == on_postgresql
    assert cells_of_prescriber(world)["reactivite-delai-alerte"].value == 2.5


def cells_of_prescriber(world):
    card = sc.build_scorecard(region=world.region, start=START, end=END)
    return cells(card, row_of(card, world.prescriber))


def test_a_signatory_no_indicator_applies_to_is_named_under_the_table_not_a_row_of_dashes(card_world, client_for):
    world = card_world
    validated(world.funder, world.user("regional_officer"))
    response = page(client_for(world.user("regional_officer")), world)
    card = response.context["card"]
    assert world.funder.pk not in [row.pk for row in card.rows]
    assert card.without_indicator == [world.funder.name]
    assert "Signataires auxquels aucun indicateur" in response.content.decode()
