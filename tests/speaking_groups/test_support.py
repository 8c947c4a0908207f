"""Hotline, network work and sharing with the referent: the 30-second form, the rules, who may do what, and
NEUTRALITÉ (notes and the names of hotline callers reach no other role; a summary reaches the referent only with the
person's consent)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import deliver_cause
from pathways.models import Membership, Stage
from speaking_groups.models import HotlineCall, NetworkContact, ReferentShare
from speaking_groups.services import support as services
from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

pytestmark = pytest.mark.django_db

CALL_NOTE = "MARQUEUR-NOTE-HOTLINE"
NETWORK_NOTE = "MARQUEUR-NOTE-RESEAU"
SUMMARY = "MARQUEUR-SYNTHESE-PARTAGEE"
CALLER = "MARQUEUR-APPELANT"  # shown upper-case as a last name; looked for in any case

OTHER_ROLES = [
    "trainer",
    "pedagogical_manager",
    "org_manager",
    "legal_representative",
    "prescriber_adviser",
    "regional_officer",
    "basin_coordinator",
    "dpo",
    "outsider",
    "admin",
]


def _leaks(body, *markers):
    return [marker for marker in markers if marker.upper() in body.upper()]


def _url(name, *args):
    return reverse(f"speaking_groups:{name}", args=args)


@pytest.fixture
def caller(world, speaking_group):
    """A person enrolled in the group's session who only called the hotline (their name is a marker)."""
    pathway = PathwayFactory(
        beneficiary=BeneficiaryFactory(region=world.region, first_name="Inès", last_name=CALLER),
        referent=world.user("prescriber_adviser"),
        opened_by=world.prescriber,
        prescribing_organisation=world.prescriber,
        prescribing_adviser=world.user("prescriber_adviser"),
    )
    stage = StageFactory(pathway=pathway, organisation=world.training_body, programme=world.programme)
    EnrolmentFactory(stage=stage, session=world.session)
    return stage


@pytest.fixture
def support_work(world, speaking_group, caller):
    """A call from the caller (with a note), a network contact and a share about the world's person."""
    facilitator = speaking_group.facilitator
    call = services.hotline_call_log(
        by=facilitator,
        support_organisation=world.support,
        duration_minutes=12,
        topic="conditions",
        outcome="listened",
        stage=caller,
        notes=CALL_NOTE,
    )
    contact = services.network_contact_log(
        by=facilitator,
        stage=world.stage,
        support_organisation=world.support,
        service="housing",
        service_name="CCAS de Cenon",
        contacted_on=world.today,
        notes=NETWORK_NOTE,
    )
    share = services.referent_share(
        by=facilitator,
        stage=world.stage,
        support_organisation=world.support,
        summary=SUMMARY,
        consent_given=True,
        consent_on=world.today,
        consent_scope="Sa recherche de logement",
    )
    return call, contact, share


def _support_urls(world, call, share):
    return [
        _url("support_hotline"),
        _url("support_network_list"),
        _url("support_network_person", world.stage.pk),
        _url("support_share_create", world.stage.pk),
        _url("support_share_list"),
        _url("support_share_detail", share.pk),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Hotline


def test_the_hotline_page_puts_the_form_first_then_the_calls(world, support_work, client_for, speaking_group):
    response = client_for(speaking_group.facilitator).get(_url("support_hotline"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('name="duration_minutes"') < body.index(CALL_NOTE)
    assert "autofocus" in body
    assert CALLER in body  # the facilitator knows who called


def test_a_call_is_logged_with_the_required_fields_only(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    before = timezone.now()
    response = client.post(
        _url("support_hotline"), {"duration_minutes": "5", "topic": "project", "outcome": "listened"}
    )
    assert response.status_code == 302
    call = HotlineCall.objects.get()
    assert call.support_organisation == world.support
    assert call.stage is None  # anonymous
    assert call.urgency == HotlineCall.Urgency.LOW
    assert before <= call.called_at <= timezone.now()
    assert call.logged_by == speaking_group.facilitator


def test_a_call_links_a_known_person_a_group_and_a_note(world, speaking_group, caller, client_for):
    client = client_for(speaking_group.facilitator)
    response = client.post(
        _url("support_hotline"),
        {
            "duration_minutes": "20",
            "topic": "unforeseen",
            "outcome": "oriented",
            "urgency": "high",
            "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "stage": caller.pk,
            "group": speaking_group.group.pk,
            "notes": CALL_NOTE,
        },
    )
    assert response.status_code == 302
    call = HotlineCall.objects.get()
    assert (call.stage, call.group, call.notes, call.urgency) == (caller, speaking_group.group, CALL_NOTE, "high")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"duration_minutes": "0"}, "1 à 600"),
        ({"duration_minutes": "601"}, "600"),
        ({"called_at": "2999-01-01T10:00"}, "dans le futur"),
    ],
)
def test_a_call_is_refused_in_the_future_or_with_a_bad_duration(speaking_group, client_for, data, message):
    client = client_for(speaking_group.facilitator)
    post = {"duration_minutes": "5", "topic": "project", "outcome": "listened", **data}
    response = client.post(_url("support_hotline"), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HotlineCall.objects.exists()


def test_the_service_refuses_a_bad_duration_and_a_future_call(world, speaking_group):
    for kwargs in ({"duration_minutes": 0}, {"duration_minutes": 601}):
        with pytest.raises(services.ValidationError):
            services.hotline_call_log(
                by=speaking_group.facilitator,
                support_organisation=world.support,
                topic="project",
                outcome="listened",
                **kwargs,
            )
    with pytest.raises(services.ValidationError):
        services.hotline_call_log(
            by=speaking_group.facilitator,
            support_organisation=world.support,
            topic="project",
            outcome="listened",
            duration_minutes=5,
            called_at=timezone.now() + datetime.timedelta(minutes=5),
        )
    assert not HotlineCall.objects.exists()


def test_a_call_links_only_a_person_the_structure_follows(world, adversaries, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    foreign = Stage.objects.filter(pathway=adversaries.other_body_pathway).first()
    assert foreign is not None
    response = client.post(
        _url("support_hotline"),
        {"duration_minutes": "5", "topic": "project", "outcome": "listened", "stage": foreign.pk},
    )
    assert response.status_code == 400
    assert not HotlineCall.objects.exists()
    with pytest.raises(services.ValidationError):
        services.hotline_call_log(
            by=speaking_group.facilitator,
            support_organisation=world.support,
            duration_minutes=5,
            topic="project",
            outcome="listened",
            stage=foreign,
        )


def _calls(world, facilitator, n):
    now = timezone.now()
    HotlineCall.objects.bulk_create(
        HotlineCall(
            support_organisation=world.support,
            called_at=now - datetime.timedelta(minutes=i + 1),
            duration_minutes=3,
            topic="content",
            outcome="listened",
            stage=world.stage if i % 2 else None,
            notes=f"note {i}",
            logged_by=facilitator,
        )
        for i in range(n)
    )


def test_the_hotline_list_is_paginated_newest_first(world, speaking_group, client_for, settings):
    settings.PAGINATE_BY = 10
    _calls(world, speaking_group.facilitator, 12)
    client = client_for(speaking_group.facilitator)
    first = client.get(_url("support_hotline")).content.decode()
    assert "note 0" in first and "note 9" in first and "note 10" not in first
    assert first.index("note 0") < first.index("note 1<")
    second = client.get(_url("support_hotline") + "?page=2").content.decode()
    assert "note 11" in second and "note 0<" not in second


@pytest.mark.parametrize("n", [3, 30])
def test_the_hotline_list_reads_a_constant_number_of_queries(
    world, speaking_group, client_for, django_assert_max_num_queries, n
):
    _calls(world, speaking_group.facilitator, n)
    client = client_for(speaking_group.facilitator)
    client.get(_url("support_hotline"))
    with django_assert_max_num_queries(18):
        response = client.get(_url("support_hotline"))
    assert response.status_code == 200


def test_the_hotline_list_costs_the_same_at_3_and_30_calls(world, speaking_group, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(speaking_group.facilitator)
    counts = []
    for n in (3, 27):
        _calls(world, speaking_group.facilitator, n)
        client.get(_url("support_hotline"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("support_hotline")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------------------------------------------
# Network work


def test_a_facilitator_logs_a_network_contact_for_a_person(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    url = _url("support_network_person", world.stage.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "service": "mobility",
            "service_name": "Wimoov",
            "contacted_on": world.today.isoformat(),
            "notes": NETWORK_NOTE,
        },
    )
    assert response.status_code == 302
    contact = NetworkContact.objects.get()
    assert (contact.stage, contact.support_organisation, contact.notes) == (world.stage, world.support, NETWORK_NOTE)
    assert NETWORK_NOTE in client.get(url).content.decode()
    listing = client.get(_url("support_network_list")).content.decode()
    assert "Wimoov" in listing and "Zoé" in listing


def test_a_network_contact_is_not_dated_in_the_future(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    response = client.post(
        _url("support_network_person", world.stage.pk),
        {
            "service": "health",
            "service_name": "CMP",
            "contacted_on": (world.today + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "futur" in response.content.decode()
    assert not NetworkContact.objects.exists()


def test_the_network_list_reads_a_constant_number_of_queries(
    world, speaking_group, client_for, django_assert_max_num_queries
):
    for n in range(10):
        NetworkContact.objects.create(
            support_organisation=world.support,
            stage=world.stage,
            service="social",
            service_name=f"Service {n}",
            contacted_on=world.today,
        )
    client = client_for(speaking_group.facilitator)
    client.get(_url("support_network_list"))
    with django_assert_max_num_queries(14):
        response = client.get(_url("support_network_list"))
    assert response.content.decode().count("Service ") >= 10


# ---------------------------------------------------------------------------------------------------------------
# Sharing with the referent


def test_a_share_with_consent_reaches_the_referent(world, speaking_group, client_for):
    client = client_for(speaking_group.facilitator)
    url = _url("support_share_create", world.stage.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "summary": SUMMARY,
            "consent_given": "on",
            "consent_on": world.today.isoformat(),
            "consent_scope": "Sa recherche de logement",
        },
    )
    share = ReferentShare.objects.get()
    assert response.status_code == 302
    assert share.recipient == world.user("prescriber_adviser")
    assert share.support_organisation == world.support
    assert share.shared_by == speaking_group.facilitator
    rows = Notification.objects.filter(kind="support_share")
    assert {row.recipient for row in rows} == {world.user("prescriber_adviser")}
    assert all(SUMMARY not in str(row.params) for row in rows)
    referent = client_for(world.user("prescriber_adviser"))
    assert SUMMARY in referent.get(_url("support_share_detail", share.pk)).content.decode()
    assert SUMMARY not in referent.get(_url("support_share_list")).content.decode()  # the list links, no summary
    assert "Zoé" in referent.get(_url("support_share_list")).content.decode()
    facilitator_list = client_for(speaking_group.facilitator).get(_url("support_share_list")).content.decode()
    assert "Zoé" in facilitator_list


def test_the_share_email_names_no_one_and_carries_no_summary(world, support_work):
    _call, _contact, share = support_work
    deliver_cause(f"support_share:{share.pk}")
    bodies = [m.subject + m.body for m in mail.outbox]
    assert bodies
    assert all("Zoé" not in body and "MARTIN" not in body and SUMMARY not in body for body in bodies)


@pytest.mark.parametrize(
    "data",
    [
        {},  # no consent at all
        {"consent_on": "TODAY", "consent_scope": "Logement"},  # consent not ticked
        {"consent_given": "on", "consent_scope": "Logement"},  # no date
        {"consent_given": "on", "consent_on": "TODAY"},  # no scope
        {"consent_given": "on", "consent_on": "TOMORROW", "consent_scope": "Logement"},  # in the future
    ],
)
def test_no_consent_no_share(world, speaking_group, client_for, data):
    dates = {"TODAY": world.today.isoformat(), "TOMORROW": (world.today + datetime.timedelta(days=1)).isoformat()}
    data = {key: dates.get(value, value) for key, value in data.items()}
    client = client_for(speaking_group.facilitator)
    response = client.post(_url("support_share_create", world.stage.pk), {"summary": SUMMARY, **data})
    assert response.status_code == 400
    assert not ReferentShare.objects.exists()
    assert not Notification.objects.filter(kind="support_share").exists()


def test_no_referent_no_share(world, speaking_group, client_for):
    referent = world.user("prescriber_adviser")
    Membership.objects.filter(user=referent).update(is_active=False, deactivated_at=timezone.now())
    client = client_for(speaking_group.facilitator)
    response = client.post(
        _url("support_share_create", world.stage.pk),
        {
            "summary": SUMMARY,
            "consent_given": "on",
            "consent_on": world.today.isoformat(),
            "consent_scope": "Logement",
        },
    )
    assert response.status_code == 400
    assert "référent" in response.content.decode()
    assert not ReferentShare.objects.exists()
    assert not Notification.objects.filter(kind="support_share").exists()


# ---------------------------------------------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("role", [r for r in OTHER_ROLES if r != "prescriber_adviser"])
def test_other_roles_get_404_and_read_nothing(world, support_work, client_for, role):
    call, _contact, share = support_work
    client = client_for(world.user(role))
    for url in _support_urls(world, call, share):
        response = client.get(url)
        body = response.content.decode()
        if url == _url("support_share_list"):
            assert response.status_code == 200
            assert "Zoé" not in body
        else:
            assert response.status_code == 404, url
        assert not _leaks(body, CALL_NOTE, NETWORK_NOTE, SUMMARY, CALLER), url


def test_the_referent_reads_the_share_and_nothing_else(world, support_work, client_for):
    call, _contact, share = support_work
    client = client_for(world.user("prescriber_adviser"))
    for url in _support_urls(world, call, share):
        response = client.get(url)
        body = response.content.decode()
        if url == _url("support_share_detail", share.pk):
            assert response.status_code == 200
            assert SUMMARY in body
        elif url == _url("support_share_list"):
            assert response.status_code == 200
        else:
            assert response.status_code == 404, url
        assert not _leaks(body, CALL_NOTE, NETWORK_NOTE, CALLER), url


@pytest.mark.parametrize("who", ["other_facilitator", "deactivated_facilitator", "deactivated_trainer"])
def test_other_structures_and_deactivated_members_get_404(world, adversaries, support_work, client_for, who):
    call, _contact, share = support_work
    if who == "deactivated_facilitator":
        user = world.user("facilitator")
        Membership.objects.filter(user=user).update(is_active=False, deactivated_at=timezone.now())
    else:
        user = world.user(who)
    client = client_for(user)
    for url in _support_urls(world, call, share):
        response = client.get(url)
        body = response.content.decode()
        own = url == _url("support_share_list") or (
            who == "other_facilitator" and url in (_url("support_hotline"), _url("support_network_list"))
        )
        assert response.status_code == (200 if own else 404), url
        assert not _leaks(body, CALL_NOTE, NETWORK_NOTE, SUMMARY, CALLER), url


def test_a_facilitator_without_a_group_on_the_session_does_not_reach_the_person(
    world, adversaries, support_work, client_for
):
    client = client_for(world.user("other_facilitator"))
    assert client.get(_url("support_hotline")).status_code == 200  # their own (empty) hotline
    assert CALL_NOTE not in client.get(_url("support_hotline")).content.decode()
    assert client.get(_url("support_network_person", world.stage.pk)).status_code == 404


@pytest.mark.parametrize("role", ["trainer", "prescriber_adviser", "regional_officer", "other_facilitator"])
def test_foreign_posts_write_nothing(world, adversaries, speaking_group, client_for, role):
    client = client_for(world.user(role))
    own_hotline = role == "other_facilitator"  # their own structure's hotline: a call there is theirs
    posts = [
        (_url("support_hotline"), {"duration_minutes": "5", "topic": "project", "outcome": "listened"}),
        (
            _url("support_network_person", world.stage.pk),
            {"service": "health", "service_name": "CMP", "contacted_on": world.today.isoformat()},
        ),
        (
            _url("support_share_create", world.stage.pk),
            {
                "summary": SUMMARY,
                "consent_given": "on",
                "consent_on": world.today.isoformat(),
                "consent_scope": "Tout",
            },
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if own_hotline and url == _url("support_hotline"):
            continue
        assert response.status_code in (403, 404), (url, response.status_code)
    assert not HotlineCall.objects.filter(support_organisation=world.support).exists()
    assert not HotlineCall.objects.exclude(support_organisation=adversaries.other_support).exists()
    assert not NetworkContact.objects.exists()
    assert not ReferentShare.objects.exists()
    assert not Notification.objects.filter(kind="support_share").exists()


def test_anonymous_is_sent_to_the_login_page(world, support_work, client_for):
    call, _contact, share = support_work
    client = client_for(None)
    for url in _support_urls(world, call, share):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response.url or "connexion" in response.url
    client.post(_url("support_hotline"), {"duration_minutes": "5", "topic": "project", "outcome": "listened"})
    assert HotlineCall.objects.count() == 1


def test_wrong_methods_get_405(world, support_work, client_for, speaking_group):
    call, _contact, share = support_work
    client = client_for(speaking_group.facilitator)
    for url in (_url("support_network_list"), _url("support_share_list"), _url("support_share_detail", share.pk)):
        assert client.post(url).status_code == 405, url
    for url in (_url("support_hotline"), _url("support_network_person", world.stage.pk)):
        assert client.put(url).status_code == 405, url
        assert client.delete(url).status_code == 405, url


def test_notes_are_encrypted_at_rest(support_work):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes::text FROM speaking_groups_hotlinecall")
        (raw,) = cursor.fetchone()
    assert CALL_NOTE not in raw


def test_the_group_page_links_to_the_support_pages(speaking_group, client_for):
    body = client_for(speaking_group.facilitator).get(speaking_group.group.get_absolute_url()).content.decode()
    assert _url("support_hotline") in body


def test_a_share_about_a_person_no_longer_followed_is_not_shown_to_the_structure(
    world, speaking_group, support_work, client_for
):
    _call, _contact, share = support_work
    speaking_group.group.sessions.clear()
    client = client_for(speaking_group.facilitator)
    assert client.get(_url("support_share_detail", share.pk)).status_code == 404
    assert "Zoé" not in client.get(_url("support_share_list")).content.decode()
    referent = client_for(world.user("prescriber_adviser"))
    assert referent.get(_url("support_share_detail", share.pk)).status_code == 200
