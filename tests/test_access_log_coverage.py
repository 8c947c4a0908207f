"""The access log covers every page that shows a person (issue 20, "Traceability of personal data").

The person-data URLs are found systematically: every URL of the project (the resolver, through the authorization
matrix, which holds an entry for each) is read by each role the matrix lets in (a 200); a page on which the world's
person is named must have written exactly one access log row for that person, with the page's URL name. Pages
listed in NOT_LOGGED are the known exceptions, each with its reason. Polling (an htmx GET) writes nothing.
"""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from tests.test_authorization_matrix import MATRIX

# Roles that work with the world's person (each sees them through a different way) and the DPO.
READERS = ["prescriber_adviser", "trainer", "org_manager", "regional_officer", "dpo", "legal_representative"]

# Pages that show the person's name and write no access log row, and why.
NOT_LOGGED = {
    # The page's own reader: the join request names the person as typed by the requester, the record is not shown.
    "pathways:join_request_list": "a join request shows the name typed by the requester, not the record",
}

# Pages polled by htmx while something is built or awaited: the poll is not a read.
POLLED = [
    ("alerts:alert_list", None, "prescriber_adviser"),
    ("alerts:alert_badge", None, "prescriber_adviser"),
    ("attendance:statements", lambda w: [w.session.pk], "trainer"),
]


def _walk(world, client, role):
    """(url name, rows written for the world's person, rows written for anyone, the person named?) per page the
    matrix lets `role` read."""
    name = world.beneficiary.full_name
    results = []
    for url_name, (kwargs, expected) in MATRIX.items():
        if expected[role] != 200:
            continue
        url = reverse(url_name, args=kwargs(world) if kwargs else None)
        last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        content = (b"".join(response.streaming_content) if response.streaming else response.content).decode(
            "utf-8", "replace"
        )
        if response.status_code != 200:  # some pages redirect once the matrix's objects exist (the charter's index)
            continue
        new = AccessLog.objects.filter(pk__gt=last)
        mine = list(new.filter(beneficiary=world.beneficiary).values_list("view_name", flat=True))
        results.append((url_name, mine, list(new.values_list("view_name", "beneficiary")), name in content))
    return results


@pytest.mark.parametrize("role", READERS)
def test_every_page_naming_the_person_writes_one_row_for_them(world, client_for, role):
    from tests.test_authorization_matrix import declared_alert

    declared_alert(world)  # an alert about the world's person: the inbox names them
    world.notification.stage = world.stage  # as a real notification about a stage's transition
    world.notification.save(update_fields=["stage"])
    client = client_for(world.user(role))
    failures = []
    for url_name, mine, rows, named in _walk(world, client, role):
        if named and url_name not in NOT_LOGGED and mine != [url_name]:
            failures.append(f"{url_name}: names the person, rows for them {mine}")
        if len(mine) > 1:
            failures.append(f"{url_name}: {len(mine)} rows for the person in one request")
        for view_name, _person in rows:
            if view_name != url_name:
                failures.append(f"{url_name}: a row names another page, {view_name}")
        counted = [person for _view, person in rows]
        if len(counted) != len(set(counted)):
            failures.append(f"{url_name}: several rows for one person in one request")
    assert not failures, "\n".join(failures)


def test_the_not_logged_pages_still_exist():
    assert set(NOT_LOGGED) <= set(MATRIX)


@pytest.mark.parametrize(("url_name", "kwargs", "role"), POLLED)
def test_polling_writes_no_access_log(world, client_for, url_name, kwargs, role):
    from tests.test_authorization_matrix import declared_alert

    declared_alert(world)
    client = client_for(world.user(role))
    url = reverse(url_name, args=kwargs(world) if kwargs else None)
    before = AccessLog.objects.count()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert AccessLog.objects.count() == before
