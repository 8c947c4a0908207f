"""What a token reads: what its organisation's role reads on the pages (the one scoping layer), each person read
written to the access log."""

import pytest

from accounts.models import AccessLog
from tests.api.conftest import make_token
from tests.conftest import SECRET_OTHER_BODY, SECRET_OTHER_REGION
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

LISTS = ["/api/v1/pathways/", "/api/v1/stages/", "/api/v1/ruptures/", "/api/v1/alerts/"]


def names(response):
    return response.content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_a_training_body_token_reads_its_people_and_no_one_else(adversaries, world, api_client, url):
    _token, secret = make_token(world, world.training_body)
    response = api_client(secret).get(url)
    assert response.status_code == 200
    results = response.json()["results"]
    pathways = {row["pathway"] if "pathway" in row else row["id"] for row in results}
    assert world.pathway.pk in pathways
    assert not pathways & {adversaries.other_body_pathway.pk, adversaries.other_region_pathway.pk}
    assert SECRET_OTHER_BODY not in names(response) and SECRET_OTHER_REGION not in names(response)


def test_the_other_body_token_does_not_see_the_world_s_person(adversaries, world, api_client):
    _token, secret = make_token(world, world.other_training_body)
    client = api_client(secret)
    for url in LISTS:
        assert "Zoé" not in names(client.get(url)), url
    assert SECRET_OTHER_BODY in names(client.get("/api/v1/pathways/"))
    assert client.get(f"/api/v1/pathways/{world.pathway.pk}/").status_code == 404
    assert client.get(f"/api/v1/stages/{world.stage.pk}/").status_code == 404
    assert client.get(f"/api/v1/alerts/{adversaries.alert.pk}/").status_code == 404


def test_another_region_s_token_sees_nothing_of_this_region(adversaries, world, api_client):
    _token, secret = make_token(world, adversaries.other_region_body)
    client = api_client(secret)
    assert SECRET_OTHER_REGION in names(client.get("/api/v1/pathways/"))
    for url in LISTS:
        assert "Zoé" not in names(client.get(url)), url
    assert client.get(f"/api/v1/pathways/{world.pathway.pk}/").status_code == 404


def test_a_person_who_objected_to_the_organisation_is_out_of_its_token_s_scope(world, api_client):
    from accounts.models import SharingObjection

    _token, secret = make_token(world, world.training_body)
    client = api_client(secret)
    assert client.get(f"/api/v1/pathways/{world.pathway.pk}/").status_code == 200
    SharingObjection.objects.create(
        beneficiary=world.beneficiary, organisation=world.training_body, recorded_by=world.user("prescriber_adviser")
    )
    assert "Zoé" not in names(client.get("/api/v1/pathways/"))
    assert client.get(f"/api/v1/pathways/{world.pathway.pk}/").status_code == 404
    assert client.get(f"/api/v1/stages/{world.stage.pk}/").status_code == 404


def test_a_prescriber_token_reads_the_people_it_prescribed(adversaries, world, api_client):
    _token, secret = make_token(world, world.prescriber)
    response = api_client(secret).get("/api/v1/pathways/")
    assert [row["id"] for row in response.json()["results"]] == [
        pathway.pk
        for pathway in sorted(world.prescriber.prescribed_pathways.all(), key=lambda p: (p.opened_at, p.pk))[::-1]
    ]


def test_a_funder_token_reads_the_alerts_of_what_it_funds_and_no_pathway(adversaries, world, api_client):
    _token, secret = make_token(world, world.funder)
    client = api_client(secret)
    alerts = client.get("/api/v1/alerts/").json()["results"]
    assert [alert["id"] for alert in alerts] == [adversaries.alert.pk]
    assert alerts[0]["person"]["first_name"] == "Zoé"
    assert alerts[0]["status"] == "acted"
    assert client.get("/api/v1/pathways/").json()["count"] == 0
    assert client.get("/api/v1/ruptures/").json()["count"] == 0
    assert client.get(f"/api/v1/pathways/{world.pathway.pk}/").status_code == 404
    # the other funder's token: the alert of the action it funds (the other training body's person), not Zoé's
    _token, other = make_token(world, adversaries.other_funder)
    alerts = api_client(other).get("/api/v1/alerts/").json()["results"]
    assert [alert["pathway"] for alert in alerts] == [adversaries.other_body_pathway.pk]


def test_no_free_text_leaves_through_the_api(adversaries, world, api_client):
    from tests.conftest import SECRET_COMMENT, SECRET_NOTE

    _token, secret = make_token(world, world.training_body)
    client = api_client(secret)
    for url in [*LISTS, f"/api/v1/alerts/{adversaries.alert.pk}/", f"/api/v1/ruptures/{adversaries.alert.rupture.pk}/"]:
        body = names(client.get(url))
        assert SECRET_COMMENT not in body and SECRET_NOTE not in body, url


def test_a_list_writes_one_access_log_row_per_person_shown(adversaries, world, api_client):
    token, secret = make_token(world, world.training_body)
    shown = {row["person"]["id"] for row in api_client(secret).get("/api/v1/pathways/").json()["results"]}
    assert world.beneficiary.pk in shown
    rows = AccessLog.objects.filter(user=token.user)
    assert {(row.beneficiary_id, row.view_name, row.acting_organisation_id) for row in rows} == {
        (person, "api:pathway-list", world.training_body.pk) for person in shown
    }
    assert rows.count() == len(shown)


def test_reading_one_object_writes_one_access_log_row(world, api_client):
    token, secret = make_token(world, world.training_body)
    assert api_client(secret).get(f"/api/v1/stages/{world.stage.pk}/").status_code == 200
    row = AccessLog.objects.get(user=token.user)
    assert (row.beneficiary_id, row.view_name, row.action) == (world.beneficiary.pk, "api:stage-detail", "read")
    assert row.acting_organisation_id == world.training_body.pk


def test_filters_narrow_the_lists_and_a_bad_value_answers_400(adversaries, world, api_client):
    _token, secret = make_token(world, world.training_body)
    client = api_client(secret)
    abandoned = client.get("/api/v1/stages/", {"status": "abandoned"}).json()["results"]
    assert world.stage.pk in [stage["id"] for stage in abandoned]
    assert {stage["status"] for stage in abandoned} == {"abandoned"}
    new = client.get("/api/v1/alerts/", {"status": "new"}).json()["results"]
    assert adversaries.alert.pk not in [alert["id"] for alert in new]
    assert {alert["status"] for alert in new} <= {"new"}
    not_escalated = client.get("/api/v1/alerts/", {"escalated": "false"}).json()["results"]
    assert adversaries.alert.pk in [alert["id"] for alert in not_escalated]
    assert not any(alert["escalated"] for alert in not_escalated)
    assert client.get("/api/v1/alerts/", {"escalated": "true"}).json()["count"] == 0
    assert client.get("/api/v1/pathways/", {"since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert client.get("/api/v1/stages/", {"status": "nope"}).status_code == 400
    assert client.get("/api/v1/pathways/", {"since": "hier"}).status_code == 400
    assert client.get("/api/v1/pathways/99999999999999999999/").status_code == 404


def _more_people(world, count):
    for _ in range(count):
        pathway = PathwayFactory(
            beneficiary=BeneficiaryFactory(region=world.region),
            opened_by=world.prescriber,
            prescribing_organisation=world.prescriber,
        )
        stage = StageFactory(pathway=pathway, organisation=world.training_body, planned_start=world.stage.planned_start)
        EnrolmentFactory(stage=stage, session=world.session)


@pytest.mark.parametrize("url", LISTS)
def test_lists_read_a_fixed_number_of_queries(adversaries, world, api_client, django_assert_max_num_queries, url):
    from tests.ruptures.declaring import declare

    counts = []
    for size in (2, 12):
        _more_people(world, size)
        from pathways.models import Stage

        for stage in Stage.objects.filter(organisation=world.training_body, status="planned")[:3]:
            Stage.objects.filter(pk=stage.pk).update(status="in_progress", actual_start=world.stage.actual_start)
            stage.refresh_from_db()
            declare(world, stage=stage)
        _token, secret = make_token(world, world.training_body, name=f"Logiciel {size}")
        with django_assert_max_num_queries(12) as captured:
            assert api_client(secret).get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
