"""Every dashboard table downloads as CSV and XLSX with the page's cells: small counts hidden outside the owner,
exact for the owner (dashboards/tables.py, core/exports.py)."""

import csv
import io

import openpyxl
from django.urls import reverse

from core.figures import shown_rate
from tests.dashboards.test_pages import populate


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_a_basin_table_downloads_with_small_counts_hidden(world, client_for):
    populate(world, 2)  # 3 entrants, 1 abandon
    url = reverse("dashboards:basin", args=[world.basin.pk])
    client = client_for(world.user("regional_officer"))
    response = client.get(f"{url}?export=csv&table=ruptures")
    assert response["Content-Type"].startswith("text/csv")
    assert f"bassin-{world.basin.code}" in response["Content-Disposition"]
    rows = {row[0]: row[1:] for row in csv_rows(response)}
    assert rows["Entrées"][0] == "< 5"
    assert rows["Ruptures comptées"][0] == "< 5"
    assert rows["Taux de rupture"][0] == shown_rate(1, 3, owner=False)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}?export=xlsx&table=ruptures").content)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True)}
    assert values["Entrées"][0] == "< 5"
    assert values["Taux de rupture"][0] == shown_rate(1, 3, owner=False)


def test_an_organisations_table_downloads_with_exact_counts_typed(world, client_for):
    populate(world, 2)
    url = reverse("dashboards:organisation", args=[world.training_body.pk])
    client = client_for(world.user("org_manager"))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}?export=xlsx&table=actions").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Action de formation", "Entrées", "Ruptures comptées", "Taux de rupture")
    assert rows[1][:4] == ("Titre pro ADVF", 3, 1, shown_rate(1, 3, owner=True))
    causes = csv_rows(client.get(f"{url}?export=csv&table=causes"))
    assert causes[1] == ["Conditions de participation", "1", "1"]
    assert causes[2] == ["Transport, mobilité", "1", "1"]


def test_the_region_map_downloads_its_basins(world, client_for):
    populate(world, 5)
    response = client_for(world.user("regional_officer")).get(
        f"{reverse('dashboards:region')}?export=csv&table=bassins"
    )
    rows = csv_rows(response)
    assert rows[0] == ["Bassin", "Entrées", "Ruptures comptées", "Taux de rupture", "Alertes émises"]
    bordeaux = next(row for row in rows if row[0] == "Bordeaux")
    assert bordeaux[1:3] == ["6", "< 5"]
    assert rows[-1][0] == "Région"
