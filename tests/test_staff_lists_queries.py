"""The staff pages measured by the `staff_lists` benchmark make as many SQL statements in a region of 600 people as
in one of 120: no page grows a query per row. Both regions come from `manage.py generate_scale` (PostgreSQL only),
and the users are the benchmark's (`bench._staff`): the staff of the largest organisations and a regional officer."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench._staff import page_urls, staff_of_largest
from bench.staff_lists import QUERIES_TARGET
from pathways.management.commands.generate_scale import purge_region
from pathways.models import Region
from tests.conftest import require_service

pytestmark = [pytest.mark.postgres]
SIZES = {"97": 120, "96": 600}


@pytest.fixture(scope="module")
def regions(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            yield None
            return
        for code, people in SIZES.items():
            call_command("generate_scale", beneficiaries=people, seed=3, region=code, stdout=StringIO())
        yield {code: Region.objects.get(code=code) for code in SIZES}
        for code in SIZES:
            with transaction.atomic():
                purge_region(Region.objects.get(code=code))


def query_counts(region) -> dict[tuple[str, str], int]:
    counts = {}
    for role, user in staff_of_largest(region).items():
        client = Client()
        client.force_login(user)
        for page, url in page_urls().items():
            client.get(url)  # the first request of a session may fill caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, (role, page)
            # The access log's one insert (one row per person named) is there only when the page names someone.
            counts[role, page] = sum(
                1 for query in queries if not query["sql"].startswith('INSERT INTO "accounts_accesslog"')
            )
    return counts


@pytest.mark.django_db
def test_the_staff_pages_make_as_many_queries_at_600_people_as_at_120(regions):
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point to PostgreSQL")
    small, large = (query_counts(regions[code]) for code in SIZES)
    assert len(small) == 24  # 6 roles × 4 pages
    assert large == small
    assert max(small.values()) <= QUERIES_TARGET
