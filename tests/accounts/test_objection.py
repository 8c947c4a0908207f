"""Objection to a sharing (issue 20): recorded by the referent from the person's page, withdrawable (history kept),
honoured by the scoping layer everywhere for every member of the organisation objected to, whatever their role."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog, SharingObjection
from accounts.services import sharing_objection_record, sharing_objection_withdraw
from alerts.models import Alert
from checklist.models import Checklist
from notifications.models import Notification, Todo
from pathways import scoping
from pathways.models import Beneficiary, Pathway, Stage
from tests.conftest import SECRET_ZOE
from tests.test_authorization_matrix import MATRIX

# The training body's members who read its people (its DPO reads none: nothing to take away).
TRAINING_BODY_STAFF = ["trainer", "pedagogical_manager", "org_manager"]
# The person's own pages: out of scope after the objection, so 404 (never 403: no existence leak).
PERSON_URLS = [
    "pathways:beneficiary_detail",
    "pathways:beneficiary_update",
    "pathways:pathway_detail",
    "pathways:pathway_update",
    "pathways:stage_update",
    "pathways:stage_start",
    "pathways:notice",
    "pathways:objection_create",
    "attendance:drift_detail",
    "ruptures:rupture_create",
    "checklist:detail",
    "checklist:edit",
]


def object_to(world, organisation, by=None):
    return sharing_objection_record(
        beneficiary=world.beneficiary,
        organisation=organisation,
        by=by or world.user("prescriber_adviser"),
        protected_organisations=scoping_protected(world),
    )


def scoping_protected(world):
    from pathways.rights import referent_organisations

    return referent_organisations(world.beneficiary)


def walk(client, world):
    """{url name: (status, shows the person's name)} for every GET of the authorization matrix."""
    seen = {}
    for name, (kwargs, _expected) in MATRIX.items():
        response = client.get(reverse(name, args=kwargs(world) if kwargs else None))
        if response.streaming:
            b"".join(response.streaming_content)
            seen[name] = (response.status_code, False)
            continue
        seen[name] = (response.status_code, SECRET_ZOE in response.content.decode(errors="replace"))
    return seen


def test_the_referent_records_an_objection_from_the_persons_page(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert "Aucune opposition." in page
    url = reverse("pathways:objection_create", args=[world.beneficiary.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "La structure du ou de la référent·e de parcours ne peut pas faire l'objet d'une opposition" in (
        form.content.decode()
    )
    response = client.post(url, {"organisation": world.training_body.pk, "reason": "Ne souhaite pas"})
    assert response.status_code == 302
    objection = SharingObjection.objects.get()
    assert (objection.organisation, objection.recorded_by, objection.reason) == (
        world.training_body,
        world.user("prescriber_adviser"),
        "Ne souhaite pas",
    )
    assert objection.is_active
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert "INSUP Cenon" in page and "Retirer l'opposition" in page
    # the POST was logged as a change of the person's record
    assert AccessLog.objects.filter(
        beneficiary=world.beneficiary, view_name="pathways:objection_create", action=AccessLog.Action.CHANGE
    ).exists()


def test_the_referents_own_organisation_cannot_be_objected_to(world, client_for):
    client = client_for(world.user("prescriber_adviser"))
    url = reverse("pathways:objection_create", args=[world.beneficiary.pk])
    assert f'value="{world.prescriber.pk}"' not in client.get(url).content.decode()
    response = client.post(url, {"organisation": world.prescriber.pk})
    assert response.status_code == 200
    assert not SharingObjection.objects.exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        object_to(world, world.prescriber)


def test_a_second_active_objection_to_the_same_organisation_is_refused(world):
    from django.core.exceptions import ValidationError

    object_to(world, world.funder)
    with pytest.raises(ValidationError):
        object_to(world, world.funder)


def test_an_organisation_of_another_region_cannot_be_objected_to(world, adversaries):
    from django.core.exceptions import ValidationError

    from pathways.models import Organisation

    with pytest.raises(ValidationError):
        object_to(world, Organisation.objects.exclude(region=world.region).first())


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "org_manager", "legal_representative"])
def test_who_may_not_record_an_objection(world, client_for, role):
    """The training body's staff read the person but do not manage the pathway: 403; the prescriber's legal
    representative manages it."""
    client = client_for(world.user(role))
    response = client.get(reverse("pathways:objection_create", args=[world.beneficiary.pk]))
    assert response.status_code == (200 if role == "legal_representative" else 403)


@pytest.mark.parametrize("role", ["outsider", "other_adviser", "regional_officer", "facilitator"])
def test_outsiders_get_404_on_the_objection_form(world, adversaries, client_for, role):
    response = client_for(world.user(role)).get(reverse("pathways:objection_create", args=[world.beneficiary.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login_and_wrong_methods_are_refused(world, client_for):
    objection = object_to(world, world.funder)
    client = client_for(None)
    response = client.get(reverse("pathways:objection_create", args=[world.beneficiary.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    client = client_for(world.user("prescriber_adviser"))
    assert client.get(reverse("pathways:objection_withdraw", args=[objection.pk])).status_code == 405
    assert client.put(reverse("pathways:objection_create", args=[world.beneficiary.pk])).status_code == 405


@pytest.mark.parametrize("role", TRAINING_BODY_STAFF)
def test_after_an_objection_the_organisation_sees_nothing_of_the_person_and_withdrawal_restores_it(
    world, client_for, role
):
    """Adversary walk: every URL of the matrix, as a member of the training body objected to."""
    client = client_for(world.user(role))
    before = walk(client, world)
    objection = object_to(world, world.training_body)
    after = walk(client, world)
    leaks = [name for name, (status, shows) in after.items() if status == 200 and shows]
    assert not leaks, f"{role} still reads the person on {leaks}"
    for name in PERSON_URLS:
        if before[name][0] in (200, 403):
            assert after[name][0] == 404, f"{name}: {after[name][0]}"
    assert any(shows for _status, shows in before.values()), "the walk read nothing about the person before"
    assert sum(before[name][0] in (200, 403) for name in PERSON_URLS) >= 6
    sharing_objection_withdraw(objection=objection, by=world.user("prescriber_adviser"))
    restored = walk(client, world)
    for name in [*PERSON_URLS, "pathways:beneficiary_list", "pathways:pathway_list", "attendance:sheet"]:
        assert restored[name] == before[name], name


def test_the_objection_reaches_every_registered_model(world):
    """The scoping layer leaves the person's rows out of every model that names its person, for every member."""
    from tests.conftest import _member

    assert scoping.unobjected_models() == []
    trainer = world.user("trainer")
    assert Beneficiary.objects.for_user(trainer).filter(pk=world.beneficiary.pk).exists()
    notification = world.notification
    notification.stage = world.stage
    notification.save(update_fields=["stage"])
    assert Notification.objects.with_named(trainer).get(pk=notification.pk).named
    object_to(world, world.training_body)
    scoping.forget_memberships(trainer)
    for model in (Beneficiary, Pathway, Stage, Checklist, Alert, Todo, SharingObjection):
        assert not scoping.scope(model.objects.all(), trainer).exists(), model
    assert not scoping.readable_stages(trainer).exists()
    assert not Notification.objects.with_named(trainer).get(pk=world.notification.pk).named
    # another member of the organisation, any role (here a newly added pedagogical manager)
    newcomer = _member(world.training_body, "pedagogical_manager").user
    assert not Beneficiary.objects.for_user(newcomer).exists()


def test_an_objection_to_the_funder_hides_the_person_from_its_regional_officer(world, client_for):
    from alerts.models import Alert as AlertModel
    from tests.test_authorization_matrix import declared_alert

    alert = declared_alert(world)
    officer = world.user("regional_officer")
    assert AlertModel.objects.for_user(officer).filter(pk=alert.pk).exists()
    object_to(world, world.funder)
    scoping.forget_memberships(officer)
    assert not AlertModel.objects.for_user(officer).exists()
    assert not scoping.readable_stages(officer).exists()
    client = client_for(officer)
    assert client.get(alert.get_absolute_url()).status_code == 404
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert SECRET_ZOE not in inbox
    # the prescriber still sees her
    assert client_for(world.user("prescriber_adviser")).get(alert.get_absolute_url()).status_code == 200


def test_withdrawing_keeps_the_history_and_is_shown(world, client_for):
    objection = object_to(world, world.funder)
    client = client_for(world.user("prescriber_adviser"))
    response = client.post(reverse("pathways:objection_withdraw", args=[objection.pk]))
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.withdrawn_by == world.user("prescriber_adviser") and objection.withdrawn_at is not None
    # withdrawing twice changes nothing; a new objection can be recorded after
    client.post(reverse("pathways:objection_withdraw", args=[objection.pk]))
    again = object_to(world, world.funder)
    assert SharingObjection.objects.count() == 2 and SharingObjection.objects.active().get() == again
    page = client.get(world.beneficiary.get_absolute_url()).content.decode()
    assert "Retirée" in page


def test_the_audit_log_records_objections_without_their_reason(world):
    from auditlog.models import LogEntry

    objection = sharing_objection_record(
        beneficiary=world.beneficiary,
        organisation=world.funder,
        by=world.user("prescriber_adviser"),
        reason="Raison sensible",
    )
    sharing_objection_withdraw(objection=objection, by=world.user("prescriber_adviser"))
    entries = LogEntry.objects.get_for_object(objection)
    assert entries.count() == 2
    assert all("Raison sensible" not in str(entry.changes) for entry in entries)


@pytest.mark.parametrize("role", ["trainer", "outsider", "other_adviser"])
def test_a_foreign_member_cannot_withdraw_an_objection(world, adversaries, client_for, role):
    objection = object_to(world, world.funder)
    response = client_for(world.user(role)).post(reverse("pathways:objection_withdraw", args=[objection.pk]))
    assert response.status_code == (403 if role == "trainer" else 404)
    objection.refresh_from_db()
    assert objection.is_active


def test_an_alert_after_an_objection_tells_nobody_of_the_organisation_objected_to(world):
    """Routing honours the objection: the funder's regional officer (objected to) is not told of a rupture of the
    person, not even by a nameless e-mail whose link would answer 404; the prescriber, not objected to, is."""
    from tests.test_authorization_matrix import declared_alert

    officer = world.user("regional_officer")
    adviser = world.user("prescriber_adviser")
    object_to(world, world.funder)
    alert = declared_alert(world)
    told = set(Notification.objects.filter(cause_key=f"alert:{alert.pk}").values_list("recipient_id", flat=True))
    assert adviser.pk in told
    assert officer.pk not in told


def test_an_objection_to_the_prescriber_keeps_its_shared_mailbox_out(world):
    from alerts.models import AlertRouting
    from tests.test_authorization_matrix import declared_alert

    prescriber = world.pathway.prescribing_organisation
    prescriber.alert_inbox_email = "alertes@prescripteur.example.org"
    prescriber.save(update_fields=["alert_inbox_email"])
    AlertRouting.objects.update_or_create(organisation=prescriber, defaults={"shared_mailbox": True})
    # The referent's organisation cannot be objected to: the thread is held by the training body here.
    world.pathway.referent = world.user("pedagogical_manager")
    world.pathway.save(update_fields=["referent"])
    assert prescriber.pk not in scoping_protected(world)
    object_to(world, prescriber, by=world.user("pedagogical_manager"))
    alert = declared_alert(world)
    rows = Notification.objects.filter(cause_key=f"alert:{alert.pk}")
    assert not rows.filter(organisation=prescriber).exists()
    assert not rows.filter(recipient=world.user("prescriber_adviser")).exists()


def test_after_an_objection_to_the_support_structure_its_facilitator_sees_nothing_of_the_person(world, client_for):
    """Adversary walk as a facilitator of a structure that follows the person through a speaking group (a second
    way of seeing people, `scoping.register_pathway_source`): the objection takes her out of it too."""
    from tests.accounts.test_right_of_access import facilitator_note

    facilitator_note(world)
    client = client_for(world.user("facilitator"))
    before = walk(client, world)
    assert any(shows for _status, shows in before.values()), "the facilitator read nothing about the person before"
    object_to(world, world.support)
    after = walk(client, world)
    leaks = [name for name, (status, shows) in after.items() if status == 200 and shows]
    assert not leaks, f"the facilitator still reads the person on {leaks}"
    assert not Beneficiary.objects.for_user(world.user("facilitator")).filter(pk=world.beneficiary.pk).exists()
