"""The scorecard and the indicators' definitions in a real browser, under the strict Content-Security-Policy; a
column's definition is reached from its header with the keyboard."""

import datetime

import pytest
from django.urls import reverse

from dashboards import scorecard as sc
from tests.dashboards.test_scorecard import fact, validated
from tests.test_browser import browser, expect, login, page, visit  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_scorecard_and_its_definitions_load_without_csp_violation(world, live_server, page):  # noqa: F811
    from tests.charter.factories import first_version

    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    first_version(world.region)
    validated(world.training_body, world.user("regional_officer"))
    for _ in range(6):
        fact(world, started_on=datetime.date(2026, 3, 2), in_session=True, with_checklist=True)
    login(page, live_server, world.user("regional_officer"))
    url = reverse("dashboards:scorecard", args=[world.region.code]) + "?period=custom&start=2026-01-01&end=2026-12-31"
    visit(page, live_server.url + url, "scorecard")
    expect(page.get_by_role("rowheader", name=world.training_body.name)).to_be_visible()
    indicator = sc.INDICATORS_BY_SLUG["anticipation-couverture"]
    link = page.get_by_role("link", name=str(indicator.title))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('dashboards:indicators')}#{indicator.anchor}")
    expect(page.locator(f"#{indicator.anchor}")).to_be_visible()
    visit(page, live_server.url + reverse("dashboards:indicators"), "indicators")
