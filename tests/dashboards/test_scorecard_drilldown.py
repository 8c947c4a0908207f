"""Drill-down from the commitment scorecard's cells (dashboards:drilldown with `?engagements=<region>`): each linked
cell's list holds exactly the rows the cell counts, for that organisation and that period; regional staff get the
aggregate of any signatory's row (never a name), an organisation manager their own organisation's named rows; the
links are real, named, and hidden with the small-count rule."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from dashboards import scorecard as sc
from dashboards.models import AlertFact, StageFact
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.charter.factories import first_version, sign
from tests.dashboards.test_scorecard import (
    END,
    START,
    alert,
    cells,
    fact,
    legal_representative,
    page,
    row_of,
    training_body_facts,
    validated,
)
from tests.pathways.factories import OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db

YEAR = {"period": "custom", "start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def card_world(world):
    """As `tests.dashboards.test_scorecard.card_world`: the training body and the prescriber validated signatories
    of the version in force, the other training body's signature pending."""
    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    first_version(world.region)
    officer = world.user("regional_officer")
    validated(world.training_body, officer)
    validated(world.prescriber, officer)
    sign(world.other_training_body, legal_representative(world.other_training_body))
    return world


def every_fact(world):
    """The training body's entrants (`training_body_facts`), ended stages held by it and prescribed by the
    prescriber, and alerts in both inboxes, the training body's tied to its stages (named rows)."""
    training_body_facts(world)
    before = START - datetime.timedelta(days=200)
    for ended_on, followed in [
        (datetime.date(2026, 2, 1), True),
        (datetime.date(2026, 3, 1), True),
        (datetime.date(2026, 6, 1), False),
        (datetime.date(2026, 6, 2), None),  # not an ended stage the indicator measures
        (END + datetime.timedelta(days=1), True),  # after the period
    ]:
        fact(world, started_on=before, ended_on=ended_on, followed_within_30_days=followed, prescriber=world.prescriber)
    stages = list(StageFact.objects.filter(organisation=world.training_body).values_list("stage_id", flat=True))
    day = datetime.date(2026, 4, 7)
    for hours, within in [(24, True), (48, True), (72, False), (120, False), (None, True), (30, True)]:
        alert(world, organisation=world.training_body, created=day, hours=hours, within=within)
    alert(world, organisation=world.training_body, created=END + datetime.timedelta(days=1), hours=1, within=True)
    for hours in (10, 20):
        alert(world, organisation=world.prescriber, created=day, hours=hours, within=True)
    for alert_fact, stage in zip(AlertFact.objects.filter(organisation=world.training_body), stages, strict=False):
        alert_fact.stage_id = stage
        alert_fact.save(update_fields=["stage"])


def links_of(card):
    """{(organisation id, indicator slug): [(link, cell), ...]} of the card's linked cells."""
    found = {}
    for row in card.rows:
        for indicator, cell in zip(card.indicators, row.cells, strict=True):
            for link in [cell.link, *cell.more]:
                if link is not None:
                    found.setdefault((row.pk, indicator.slug), []).append((link, cell))
    return found


def test_each_linked_cell_s_list_total_is_the_cell_s_count(card_world, client_for):
    world = card_world
    every_fact(world)
    client = client_for(world.user("org_manager"))
    card = page(client, world, **YEAR).context["card"]
    own = cells(card, row_of(card, world.training_body))
    expected = {
        # the list behind the figure, then the others: (indicator, figure in the URL, count)
        ("fluidite-taux-de-rupture", "engagements-ruptures", 4),
        ("fluidite-avec-check-list", "engagements-ruptures-avec-checklist", 2),
        ("fluidite-sans-check-list", "engagements-ruptures-sans-checklist", 1),
        ("anticipation-couverture", "engagements-avec-checklist", 6),
        ("realite-immersion", "engagements-immersion", 3),
        ("realite-immersion", "engagements-cohorte-immersion", 4),
        ("prevention-groupes-de-parole", "engagements-participants", 3),
        ("reactivite-delai-alerte", "engagements-alertes-delais", 5),
        ("reactivite-acquittement", "engagements-alertes-acquittees", 4),
        ("tracabilite-suite-30-jours", "engagements-suivies", 2),
        ("tracabilite-suite-30-jours", "engagements-terminees", 3),
    }
    seen = set()
    for slug, cell in own.items():
        for link in [cell.link, *cell.more]:
            if link is None:
                continue
            figure = link.href.split("/detail/")[1].split("/")[0]
            response = client.get(link.href)
            assert response.status_code == 200, link.href
            total = response.context["result"].total
            count = cell.denominator if cell.median or link is not cell.link else cell.numerator
            assert total == count
            seen.add((slug, figure, total))
    assert seen == expected
    # PROXIMITÉ counts meetings and decisions, not people: no list.
    assert not any(cell.link or cell.more for slug, cell in own.items() if sc.INDICATORS_BY_SLUG[slug].measured)


def test_a_prescriber_s_cells_list_the_stages_it_prescribed_and_its_inbox_s_alerts(card_world, client_for):
    world = card_world
    every_fact(world)
    officer = client_for(world.user("regional_officer"))
    card = page(officer, world, **YEAR).context["card"]
    prescriber = cells(card, row_of(card, world.prescriber))
    # Three ended stages (< 5): hidden from regional staff, so no link.
    assert prescriber["tracabilite-suite-30-jours"].hidden and not prescriber["tracabilite-suite-30-jours"].link
    manager = UserFactory()
    Membership.objects.create(user=manager, organisation=world.prescriber, role=Membership.Role.ORG_MANAGER)
    client = client_for(manager)
    own_card = page(client, world, **YEAR).context["card"]
    own = cells(own_card, row_of(own_card, world.prescriber))
    followed = client.get(own["tracabilite-suite-30-jours"].link.href).context["result"]
    assert followed.total == 2 and followed.owner
    delays = client.get(own["reactivite-delai-alerte"].link.href).context["result"]
    assert delays.total == 2  # the prescriber's inbox only


def test_a_regional_officer_opens_any_signatory_s_list_as_an_aggregate_without_names(card_world, client_for):
    world = card_world
    every_fact(world)
    officer = world.user("regional_officer")
    client = client_for(officer)
    response = page(client, world, **YEAR)
    card = response.context["card"]
    row = cells(card, row_of(card, world.training_body))
    # 4 ruptures: hidden by the small-count rule, no link; 6 entrants with a checklist: linked.
    assert row["fluidite-taux-de-rupture"].hidden and row["fluidite-taux-de-rupture"].link is None
    link = row["anticipation-couverture"].link
    body = response.content.decode()
    assert f'href="{link.href.replace("&", "&amp;")}"' in body
    assert f"Voir les 6 entrées avec check-list de {world.training_body.name}" in unescape(body)
    assert 'style="' not in body
    # Links are only built for cells shown (not hidden) with something to list.
    for (_org, _slug), pairs in links_of(card).items():
        for _link, cell in pairs:
            assert not cell.hidden
    listing = client.get(link.href)
    assert listing.status_code == 200
    content = listing.content.decode()
    assert listing.context["result"].total == 6 and not listing.context["result"].owner
    assert listing.context["page"].paginator.count == 0
    assert world.beneficiary.last_name.upper() not in content.upper() and world.beneficiary.first_name not in content
    assert "votre rôle ne donne pas accès à leurs dossiers" in content
    assert f"{world.training_body.name}, entrées en formation" in unescape(content)
    assert not AccessLog.objects.filter(user=officer).exists()
    # The breadcrumb goes back to the scorecard, same period.
    assert reverse("dashboards:scorecard", args=[world.region.code]) in content


def test_a_small_list_total_is_hidden_from_a_regional_officer(card_world, client_for):
    world = card_world
    every_fact(world)
    client = client_for(world.user("regional_officer"))
    url = drill("engagements-ruptures", world, world.training_body)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["result"].total == 4
    assert "&lt; 5" in response.content.decode()


def test_an_organisation_manager_lists_their_people_by_name_and_each_read_is_logged(card_world, client_for):
    world = card_world
    every_fact(world)
    manager = world.user("org_manager")
    client = client_for(manager)
    before = AccessLog.objects.filter(user=manager).count()
    response = client.get(drill("engagements-avec-checklist", world, world.training_body))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 6
    assert str(world.beneficiary) in unescape(response.content.decode())
    # one row per person named (the same person may stand behind several engagements)
    people = {row.stage.pathway.beneficiary_id for row in response.context["page"].object_list}
    assert AccessLog.objects.filter(user=manager).count() == before + len(people)
    alerts = client.get(drill("engagements-alertes-delais", world, world.training_body))
    assert alerts.context["result"].total == 5
    assert alerts.context["page"].paginator.count == 5
    text = unescape(alerts.content.decode())
    assert "24 h" in text and "120 h" in text
    people_alerted = {row.stage.pathway.beneficiary_id for row in alerts.context["page"].object_list}
    assert AccessLog.objects.filter(user=manager).count() == before + len(people) + len(people_alerted)
    ended = client.get(drill("engagements-terminees", world, world.training_body))
    assert ended.context["result"].total == 3
    assert "Suivie sous 30 jours" in ended.content.decode()


def drill(figure, world, organisation, region=None, **extra):
    params = {"engagements": (region or world.region).code, "structure": organisation.pk, **YEAR, **extra}
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('dashboards:drilldown', args=[figure])}?{query}"


def test_readers_outside_the_row_get_404(card_world, client_for):
    world = card_world
    every_fact(world)
    url = drill("engagements-avec-checklist", world, world.training_body)
    # Regional staff of another region.
    other = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    funder = OrganisationFactory(region=other, funder=True)
    officer = Membership.objects.create(user=UserFactory(), organisation=funder, role=Membership.Role.REGIONAL_OFFICER)
    assert client_for(officer.user).get(url).status_code == 404
    # The manager of another organisation (of the region, a signatory too).
    prescriber_manager = UserFactory()
    Membership.objects.create(user=prescriber_manager, organisation=world.prescriber, role=Membership.Role.ORG_MANAGER)
    assert client_for(prescriber_manager).get(url).status_code == 404
    assert client_for(prescriber_manager).get(drill("engagements-suivies", world, world.prescriber)).status_code == 200
    # A deactivated manager.
    gone = UserFactory()
    Membership.objects.create(
        user=gone,
        organisation=world.training_body,
        role=Membership.Role.ORG_MANAGER,
        is_active=False,
        deactivated_at=timezone.now(),
    )
    assert client_for(gone).get(url).status_code == 404
    # Other members of the organisation, and outsiders.
    for role in ("trainer", "outsider"):
        assert client_for(world.user(role)).get(url).status_code == 404, role
    # A regional officer: not a signatory's row (pending validation), another region's code, a mixed scope.
    regional = client_for(world.user("regional_officer"))
    assert regional.get(drill("engagements-avec-checklist", world, world.other_training_body)).status_code == 404
    foreign = drill("engagements-avec-checklist", world, world.training_body, region=other)
    assert regional.get(foreign).status_code == 404
    assert regional.get(url + f"&bassin={world.basin.pk}").status_code == 404
    assert regional.get(url.replace(f"structure={world.training_body.pk}", "structure=x")).status_code == 404
    assert regional.get(url.replace(f"engagements={world.region.code}", "engagements=zz")).status_code == 404
    # An alert list has no cause.
    alerts = drill("engagements-alertes-delais", world, world.training_body, cause="conditions")
    assert regional.get(alerts).status_code == 404
    assert regional.get(url).status_code == 200


def test_anonymous_is_sent_to_login_and_post_is_not_allowed(card_world, client_for):
    world = card_world
    url = drill("engagements-avec-checklist", world, world.training_body)
    response = client_for(None).get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for(world.user("regional_officer")).post(url).status_code == 405


def test_a_manager_s_own_row_links_exact_small_counts(card_world, client_for):
    world = card_world
    every_fact(world)
    response = page(client_for(world.user("org_manager")), world, **YEAR)
    body = unescape(response.content.decode())
    assert f"Voir les 4 ruptures comptées de {world.training_body.name}" in body
    assert f"Voir la rupture comptée parmi les entrées sans check-list de {world.training_body.name}" in body
    # The region's total has no link.
    assert not any(cell.link for cell in response.context["card"].total.cells)


def test_the_links_add_no_query_to_the_scorecard(card_world, client_for, django_assert_max_num_queries):
    world = card_world
    client = client_for(world.user("regional_officer"))
    every_fact(world)
    with django_assert_max_num_queries(18):
        first = page(client, world, **YEAR)
    for _ in range(5):
        org = OrganisationFactory(region=world.region)
        validated(org, world.user("regional_officer"))
        for _ in range(6):
            fact(world, organisation=org, started_on=datetime.date(2026, 2, 2), in_session=True, with_checklist=True)
    with django_assert_max_num_queries(18):
        second = page(client, world, **YEAR)
    assert len(links_of(second.context["card"])) > len(links_of(first.context["card"]))
    assert len(re.findall(r"/detail/engagements-avec-checklist/", second.content.decode())) == 6


@pytest.mark.parametrize("figure", ["engagements-avec-checklist", "engagements-alertes-delais"])
def test_a_list_reads_in_a_constant_number_of_queries(card_world, client_for, figure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = card_world
    every_fact(world)
    client = client_for(world.user("org_manager"))
    url = drill(figure, world, world.training_body)

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context.captured_queries), response.context["page"].paginator.count

    small, small_rows = queries()
    stages = []
    for _ in range(30):
        stages.append(fact(world, started_on=datetime.date(2026, 5, 4), in_session=True, with_checklist=True).stage_id)
    for stage in stages:
        received = alert(world, organisation=world.training_body, created=datetime.date(2026, 5, 5), hours=12)
        received.stage_id = stage
        received.save(update_fields=["stage"])
    large, large_rows = queries()
    assert large_rows > small_rows
    assert large <= small <= 9, (small, large)
