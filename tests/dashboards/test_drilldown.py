"""Drill-down (dashboards:drilldown): from a figure to the list behind it, named rows only for the people the
reader's scope reaches, the aggregate and an explanation for the others, the access log of every name shown."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from dashboards import periods
from dashboards.rollups import rebuild
from tests.dashboards.test_pages import populate
from tests.pathways.factories import BasinFactory, RegionFactory

SECRET = "Zoé"


def drill(figure, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{reverse('dashboards:drilldown', args=[figure])}?{params}"


def test_a_training_body_manager_lists_the_people_behind_a_figure_and_each_read_is_logged(world, client_for):
    populate(world, 5)  # 6 entrants, 2 abandons
    manager = world.user("org_manager")
    before = AccessLog.objects.filter(user=manager).count()
    response = client_for(manager).get(drill("entrees", structure=world.training_body.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert SECRET in content and "COHORTE4" in content
    assert response.context["page"].paginator.count == 6
    logs = AccessLog.objects.filter(user=manager).order_by("-pk")[:6]
    assert AccessLog.objects.filter(user=manager).count() == before + 6
    assert {log.view_name for log in logs} == {"dashboards:drilldown"}
    assert {log.acting_organisation_id for log in logs} == {world.training_body.pk}
    assert world.beneficiary.pk in {log.beneficiary_id for log in logs}


def test_the_ruptures_list_holds_the_counted_ruptures_only(world, client_for):
    populate(world, 5)
    response = client_for(world.user("org_manager")).get(drill("ruptures", structure=world.training_body.pk))
    names = {fact.stage.pathway.beneficiary.last_name for fact in response.context["page"].object_list}
    assert names == {"Cohorte0", "Cohorte3"}
    assert response.context["result"].total == 2


def test_a_cause_narrows_the_list(world, client_for):
    populate(world, 5)  # the abandons are for transport (conditions.transport)
    client = client_for(world.user("org_manager"))
    family = client.get(drill("ruptures", structure=world.training_body.pk, cause="conditions"))
    assert family.context["result"].total == 2
    other = client.get(drill("ruptures", structure=world.training_body.pk, cause="content"))
    assert other.context["result"].total == 0
    assert client.get(drill("ruptures", structure=world.training_body.pk, cause="nimporte")).status_code == 404


def test_a_regional_officer_gets_the_aggregate_and_why_never_names(world, client_for):
    populate(world, 9)
    officer = world.user("regional_officer")
    response = client_for(officer).get(drill("entrees", bassin=world.basin.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert SECRET not in content and "COHORTE" not in content.upper()
    assert "votre rôle ne donne pas accès à leurs dossiers" in content
    assert ": 10." in content  # the aggregate, above the small-count threshold
    assert not AccessLog.objects.filter(user=officer).exists()


def test_a_small_aggregate_is_hidden_from_a_regional_officer(world, client_for):
    populate(world, 2)
    content = client_for(world.user("regional_officer")).get(drill("ruptures", bassin=world.basin.pk)).content
    assert "&lt; 5" in content.decode()


def test_a_prescriber_lists_the_people_it_prescribed(world, client_for):
    populate(world, 2)
    response = client_for(world.user("prescriber_adviser")).get(drill("entrees", structure=world.prescriber.pk))
    assert response.context["page"].paginator.count == 3


def test_the_period_of_the_list_is_the_figures(world, client_for):
    populate(world, 2)
    long_ago = periods.year(world.today.year - 3)
    response = client_for(world.user("org_manager")).get(
        drill("entrees", structure=world.training_body.pk, **long_ago.as_query())
    )
    assert response.context["result"].total == 0
    assert "Personne n'est compté dans ce chiffre" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("org_manager", lambda w: {"bassin": w.basin.pk}),  # a training body reads no basin list
        ("outsider", lambda w: {"structure": w.training_body.pk}),
        ("regional_officer", lambda w: {"structure": w.training_body.pk}),
        ("org_manager", lambda w: {}),
        ("org_manager", lambda w: {"structure": w.training_body.pk, "bassin": w.basin.pk}),
        ("org_manager", lambda w: {"structure": w.training_body.pk, "session": 999999}),
        ("org_manager", lambda w: {"structure": w.training_body.pk, "action": "x"}),
    ],
)
def test_a_list_outside_the_readers_dashboards_is_404(world, client_for, role, query):
    rebuild()
    assert client_for(world.user(role)).get(drill("entrees", **query(world))).status_code == 404


def test_a_trainer_gets_403_and_an_unknown_figure_404(world, client_for):
    rebuild()
    assert client_for(world.user("trainer")).get(drill("entrees", structure=world.training_body.pk)).status_code == 403
    manager = client_for(world.user("org_manager"))
    assert manager.get(drill("inconnu", structure=world.training_body.pk)).status_code == 404


def test_a_basin_of_another_region_is_404(world, client_for):
    foreign = BasinFactory(region=RegionFactory(code="84"), code="8401")
    rebuild()
    response = client_for(world.user("regional_officer")).get(drill("entrees", bassin=foreign.pk))
    assert response.status_code == 404


def test_the_dashboard_links_its_figures_to_their_lists(world, client_for):
    populate(world, 5)
    content = client_for(world.user("org_manager")).get(
        reverse("dashboards:organisation", args=[world.training_body.pk])
    )
    html = content.content.decode()
    assert f"{reverse('dashboards:drilldown', args=['ruptures'])}?structure={world.training_body.pk}" in html
    assert f"{reverse('dashboards:drilldown', args=['entrees'])}?structure={world.training_body.pk}" in html


@pytest.mark.parametrize(
    ("figure", "field"),
    [
        ("entrees", "entrants"),
        ("ruptures", "ruptures"),
        ("sorties-positives", "positive_exits"),
        ("ruptures-suivies", "contract_breaks_followed"),
    ],
)
def test_a_lists_total_is_the_figure_it_comes_from(world, client_for, figure, field):
    from dashboards import figures
    from dashboards.figures import Scope
    from ruptures.models import Rupture
    from tests.ruptures.declaring import declare

    stages = populate(world, 7)
    declare(
        world,
        stage=stages[1],
        kind=Rupture.Kind.POSITIVE_EXIT,
        exit_destination="job",
        no_reminder_reason="",
    )
    rebuild()
    period = periods.default(world.today)
    expected = getattr(figures.rate(Scope(organisation_id=world.training_body.pk), period.start, period.end), field)
    assert expected or field == "contract_breaks_followed"  # a list with something in it, but for the breaks
    response = client_for(world.user("org_manager")).get(drill(figure, structure=world.training_body.pk))
    assert response.context["result"].total == expected
