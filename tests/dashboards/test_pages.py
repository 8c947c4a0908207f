"""The dashboard pages (dashboards/views/, dashboards/selectors.py): what each reader sees, small counts, the cohort
named beside each rate, the freshness stamp, and query counts that do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.figures import shown_count
from core.figures import shown_rate as shown
from dashboards import periods
from dashboards.rollups import rebuild
from pathways.models import Stage
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory
from tests.ruptures.declaring import declare

# The basin page's queries: the login session, the user, their memberships, the basin, the alert badge of the menu,
# then the figures (a fixed number per section, `dashboards.figures`). Pinned; the target of the issue is 15.
BASIN_QUERIES = 14
ORGANISATION_QUERIES = 15
REGION_QUERIES = 9
DRILLDOWN_QUERIES = 8


def populate(world, count: int, *, ruptures_every: int = 3) -> list[Stage]:
    """`count` more people in the world's session (started with the world's stage), one in `ruptures_every` of
    them with an abandon declared through the service (with its alert); then the rollups are rebuilt."""
    stages = []
    for index in range(count):
        pathway = PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region, commune=world.commune, last_name=f"Cohorte{index}"),
            referent=world.user("prescriber_adviser"),
            opened_by=world.prescriber,
            prescribing_organisation=world.prescriber,
            prescribing_adviser=world.user("prescriber_adviser"),
        )
        stage = StageFactory(
            pathway=pathway,
            organisation=world.training_body,
            programme=world.programme,
            planned_start=world.stage.actual_start,
            actual_start=world.stage.actual_start,
            status=Stage.Status.IN_PROGRESS,
        )
        EnrolmentFactory(stage=stage, session=world.session)
        if index % ruptures_every == 0:
            declare(world, stage=stage)
        stages.append(stage)
    rebuild()
    return stages


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def basin_url(world, **query):
    url = reverse("dashboards:basin", args=[world.basin.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_basin_page_shows_its_sections_the_cohort_and_the_freshness(world, client_for):
    populate(world, 19, ruptures_every=4)  # 20 entrants, 5 abandons
    response = client_for(world.user("regional_officer")).get(basin_url(world))
    assert response.status_code == 200
    content = response.content.decode()
    for title in ("Ruptures", "Activité", "Réactivité", "Après la rupture", "Prévention"):
        assert f">{title}</h2>" in content
    period = periods.default(timezone.localdate())
    assert f"entrées en formation {period.range_label}" in content
    assert shown(5, 20, owner=False) in content  # the one display rule
    assert "25,0\u00a0%" in content
    stamp = timezone.localtime(response.context["page"].freshness)
    assert f"Données à jour au {stamp:%d/%m/%Y} à {stamp:%H:%M}" in content
    assert "Région : " in content  # the comparison column
    assert 'alt="Taux de rupture par mois d’entrée.' in content or "Taux de rupture par mois d&#x27;entrée" in content


def test_a_regional_officer_sees_small_counts_hidden(world, client_for):
    populate(world, 2)  # 3 entrants, 1 abandon
    content = client_for(world.user("regional_officer")).get(basin_url(world)).content.decode()
    assert escape(shown(1, 3, owner=False)) in content
    assert shown(1, 3, owner=True) not in content
    assert "Zoé" not in content


def test_a_training_body_manager_sees_exact_counts_and_the_basin_beside_hidden(world, client_for):
    populate(world, 2)  # 3 entrants, 1 abandon, all of the training body
    response = client_for(world.user("org_manager")).get(
        reverse("dashboards:organisation", args=[world.training_body.pk])
    )
    content = response.content.decode()
    assert shown(1, 3, owner=True) in content  # their own: exact
    assert escape(shown(1, 3, owner=False)) in content  # the basin beside: hidden
    assert "Bassin : Bordeaux" in content


def test_a_prescriber_sees_the_people_it_prescribed(world, client_for):
    populate(world, 5)  # 6 entrants prescribed by the world's prescriber, 2 abandons
    response = client_for(world.user("prescriber_adviser")).get(
        reverse("dashboards:organisation", args=[world.prescriber.pk])
    )
    assert response.status_code == 200
    assert shown(2, 6, owner=True) in response.content.decode()


def test_a_training_body_manager_narrows_to_one_session(world, client_for):
    populate(world, 2)
    url = reverse("dashboards:organisation", args=[world.training_body.pk])
    response = client_for(world.user("org_manager")).get(f"{url}?session={world.session.pk}")
    assert response.status_code == 200
    assert response.context["page"].session == world.session
    assert shown(1, 3, owner=True) in response.content.decode()


def test_the_period_selector_changes_the_cohort(world, client_for):
    populate(world, 2)
    start = world.stage.actual_start
    client = client_for(world.user("org_manager"))
    url = reverse("dashboards:organisation", args=[world.training_body.pk])
    month = client.get(f"{url}?period=month&year={start.year}&month={start.month}")
    assert shown(1, 3, owner=True) in month.content.decode()
    before = start - datetime.timedelta(days=400)
    empty = client.get(f"{url}?period=custom&start={before:%Y-%m-%d}&end={before:%Y-%m-%d}")
    assert "aucune entrée" in empty.content.decode()
    invalid = client.get(f"{url}?period=custom&start=2026-05-01&end=2026-04-01")
    assert invalid.status_code == 200 and "La période commence après sa fin." in invalid.content.decode()


def test_the_region_map_lists_its_basins_with_links(world, client_for):
    populate(world, 5)
    response = client_for(world.user("regional_officer")).get(reverse("dashboards:region"))
    content = response.content.decode()
    assert reverse("dashboards:basin", args=[world.basin.pk]) in content
    assert reverse("dashboards:basin", args=[world.other_basin.pk]) in content
    table = response.context["page"].table
    bordeaux = next(row for row in table.rows if row[0].text == "Bordeaux")
    assert [cell.text for cell in bordeaux[1:4]] == ["6", shown_count(2, owner=False), shown(2, 6, owner=False)]
    assert shown(2, 6, owner=False).startswith("—")


def test_the_menu_leads_each_reader_to_their_dashboard(world, client_for):
    home = reverse("pathways:home")
    officer = client_for(world.user("regional_officer")).get(home).content.decode()
    assert f'href="{reverse("dashboards:region")}"' in officer
    manager = client_for(world.user("org_manager")).get(home).content.decode()
    assert f'href="{reverse("dashboards:organisation", args=[world.training_body.pk])}"' in manager
    trainer = client_for(world.user("trainer")).get(home).content.decode()
    assert "Tableaux de bord" not in trainer


@pytest.mark.parametrize(
    ("role", "url_of", "limit"),
    [
        ("regional_officer", lambda w: basin_url(w), BASIN_QUERIES),
        ("regional_officer", lambda w: basin_url(w, period="year", year=w.today.year), BASIN_QUERIES),
        (
            "regional_officer",
            lambda w: basin_url(w, period="custom", start=f"{w.today.year}-01-03", end=f"{w.today:%Y-%m-%d}"),
            BASIN_QUERIES,  # custom dates: the same grouped query over the daily rollups
        ),
        ("regional_officer", lambda w: reverse("dashboards:region"), REGION_QUERIES),
        (
            "org_manager",
            lambda w: reverse("dashboards:organisation", args=[w.training_body.pk]),
            ORGANISATION_QUERIES,
        ),
        (
            "org_manager",
            lambda w: reverse("dashboards:drilldown", args=["entrees"]) + f"?structure={w.training_body.pk}",
            DRILLDOWN_QUERIES,
        ),
        (
            "regional_officer",
            lambda w: reverse("dashboards:drilldown", args=["ruptures"]) + f"?bassin={w.basin.pk}",
            DRILLDOWN_QUERIES,
        ),
    ],
)
def test_query_counts_do_not_grow_with_the_data(world, client_for, role, url_of, limit):
    client = client_for(world.user(role))
    populate(world, 4)
    small = queries(client, url_of(world))
    populate(world, 56)
    large = queries(client, url_of(world))
    assert small == large
    assert large <= limit
