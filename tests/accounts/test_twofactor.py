"""Two-factor authentication (TOTP, backup codes): enrolment, verification, who must use it, the admin gate and the
administrator's reset. These tests switch the obligation on (the test settings leave it off for the rest of the suite,
which logs users in with `force_login`) and go through the real middleware."""

import datetime
import os
import re
import subprocess
import sys
from binascii import unhexlify

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, twofactor
from accounts.views import ENROL_KEY_SESSION_KEY
from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.conftest import _member
from tests.crawl import crawl
from tests.pathways.factories import OrganisationFactory
from tests.test_authorization_matrix import MATRIX

PASSWORD = "motdepasse-de-test"
NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCE_MANDATORY = True
    return settings


def code_for(key_hex: str, at: datetime.datetime | None = None) -> str:
    """The 6-digit code an authenticator app shows for this key (now, or at `at`)."""
    generator = TOTP(unhexlify(key_hex))
    generator.time = (at or datetime.datetime.now(datetime.UTC)).timestamp()
    return f"{generator.token():06d}"


def login(client, user):
    """The real login form (the second factor's state is taken at login)."""
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def verify(client, device, at=None):
    return client.post(reverse("accounts:twofactor_verify"), {"code": code_for(device.key, at)})


@pytest.fixture
def officer(world):
    return world.user("regional_officer")


# --- Enrolment ------------------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_then_a_real_code_confirms_it(client, officer):
    login(client, officer)
    response = client.get(reverse("accounts:twofactor_enrol"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="data:image/svg+xml' in page
    key = client.session[ENROL_KEY_SESSION_KEY]
    assert response.context["secret"].replace(" ", "") in page.replace(" ", "")
    assert not TOTPDevice.objects.filter(user=officer).exists()  # nothing stored before the first code

    response = client.post(reverse("accounts:twofactor_enrol"), {"code": code_for(key)})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_backup_codes"))
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == key
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    # The session is verified: pages open.
    assert client.get(reverse("pathways:home")).status_code == 200


def test_backup_codes_are_shown_once(client, officer):
    login(client, officer)
    client.get(reverse("accounts:twofactor_enrol"))
    client.post(reverse("accounts:twofactor_enrol"), {"code": code_for(client.session[ENROL_KEY_SESSION_KEY])})
    first = client.get(reverse("accounts:twofactor_backup_codes"))
    codes = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in first.content.decode() for code in codes)
    assert "data-print" in first.content.decode()
    again = client.get(reverse("accounts:twofactor_backup_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "déjà été affichés" in again


def test_a_wrong_code_is_refused_with_a_french_message(client, officer):
    login(client, officer)
    client.get(reverse("accounts:twofactor_enrol"))
    key = client.session[ENROL_KEY_SESSION_KEY]
    wrong = f"{(int(code_for(key)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("accounts:twofactor_enrol"), {"code": wrong})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas le bon" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_enrol"))


def test_a_password_alone_cannot_enrol_a_second_device(client, officer):
    device = give_device(officer)
    login(client, officer)
    response = client.get(reverse("accounts:twofactor_enrol"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_verify"))
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]


# --- Verification ---------------------------------------------------------------------------------------------


def test_a_user_with_a_device_gives_a_code_after_the_password(client, officer):
    device = give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, officer)
        home = client.get(reverse("pathways:home"))
        assert home.status_code == 302 and home.url.startswith(reverse("accounts:twofactor_verify"))
        response = client.post(
            reverse("accounts:twofactor_verify"), {"code": code_for(device.key, NOON), "next": "/parcours/"}
        )
        assert response.status_code == 302 and response.url == "/parcours/"
        assert client.get(reverse("pathways:home")).status_code == 200


def test_a_code_cannot_be_given_twice(client, officer):
    device = give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, officer)
        assert verify(client, device, NOON).status_code == 302
        client.post(reverse("accounts:logout"))
        login(client, officer)
        response = verify(client, device, NOON)
        assert response.status_code == 200 and "Ce code n&#x27;est pas le bon" in response.content.decode()


def test_optional_user_with_a_device_is_asked_for_it_too(client, world):
    trainer = world.user("trainer")
    device = give_device(trainer)
    with time_machine.travel(NOON, tick=False):
        login(client, trainer)
        assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_verify"))
        verify(client, device, NOON)
        assert client.get(reverse("pathways:home")).status_code == 200


def test_a_backup_code_works_once(client, officer):
    give_device(officer)
    (code, *_others) = services.twofactor_backup_codes_generate(user=officer)
    login(client, officer)
    response = client.post(reverse("accounts:twofactor_verify"), {"code": code.upper()})
    assert response.status_code == 302
    assert client.get(reverse("pathways:home")).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    client.post(reverse("accounts:logout"))
    login(client, officer)
    with time_machine.travel(datetime.timedelta(minutes=5)):  # past the throttling of the first try
        response = client.post(reverse("accounts:twofactor_verify"), {"code": code})
    assert response.status_code == 200 and "Ce code n&#x27;est pas le bon" in response.content.decode()
    assert client.get(reverse("pathways:home")).status_code == 302


def test_wrong_codes_are_slowed_down(client, officer):
    device = give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, officer)
        wrong = f"{(int(code_for(device.key, NOON)) + 500_000) % 1_000_000:06d}"
        client.post(reverse("accounts:twofactor_verify"), {"code": wrong})
        response = verify(client, device, NOON)  # right, but within a second of a wrong one
        assert response.status_code == 200 and "Trop de codes erronés" in response.content.decode()
    with time_machine.travel(NOON + datetime.timedelta(seconds=2), tick=False):
        assert verify(client, device, NOON + datetime.timedelta(seconds=2)).status_code == 302


# --- Enforcement ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["regional_officer", "basin_coordinator", "facilitator", "admin"])
def test_mandatory_roles_must_enrol(client, world, role):
    login(client, world.user(role))
    response = client.get(reverse("pathways:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_enrol"))


@pytest.mark.parametrize("role", ["trainer", "pedagogical_manager", "org_manager", "prescriber_adviser", "dpo"])
def test_other_roles_may_go_without(client, world, role):
    login(client, world.user(role))
    assert client.get(reverse("pathways:home")).status_code == 200
    assert twofactor.may_remove(world.user(role))


def test_an_organisation_can_make_it_mandatory_for_its_active_members(client, world):
    trainer = world.user("trainer")
    world.training_body.two_factor_required = True
    world.training_body.save()
    login(client, trainer)
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_enrol"))
    # Another organisation's members are not concerned.
    client.post(reverse("accounts:logout"))
    login(client, world.user("prescriber_adviser"))
    assert client.get(reverse("pathways:home")).status_code == 200


@pytest.mark.parametrize("role", [Membership.Role.DPO, Membership.Role.ORG_MANAGER])
def test_every_member_of_the_region_is_regional_staff_and_must_enrol(client, world, role):
    """The Region's data-protection officer (who searches the region's access log) and its director (who validates
    the charter's signatures) are regional staff as much as its officers, whatever their role's name."""
    member = _member(world.funder, role, is_legal_representative=role == Membership.Role.ORG_MANAGER).user
    member.set_password(PASSWORD)
    member.save()
    assert twofactor.is_mandatory(member)
    login(client, member)
    response = client.get(reverse("pathways:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_enrol"))
    assert not twofactor.may_remove(member)


def test_the_members_page_of_a_funder_says_it_is_mandatory_and_offers_no_switch(client, world):
    manager = _member(world.funder, Membership.Role.ORG_MANAGER).user
    with time_machine.travel(NOON, tick=False):
        verified_client(client, manager)
        response = client.get(reverse("pathways:membership_list", args=[world.funder.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Obligatoire pour tous les membres" in page
    assert reverse("pathways:organisation_two_factor_update", args=[world.funder.pk]) not in page


def test_a_deactivated_membership_no_longer_makes_it_mandatory(world):
    officer_membership = world.memberships["regional_officer"]
    assert twofactor.is_mandatory(officer_membership.user)
    officer_membership.is_active = False
    officer_membership.deactivated_at = NOON
    officer_membership.save()
    assert not twofactor.is_mandatory(officer_membership.user)
    organisation = OrganisationFactory(two_factor_required=True)
    member = _member(organisation, Membership.Role.TRAINER).user
    assert twofactor.is_mandatory(member)


def test_a_regional_user_without_device_reaches_only_enrolment_on_every_url(client, world, adversaries, officer):
    login(client, officer)
    enrol = reverse("accounts:twofactor_enrol")
    allowed = {"accounts:login", "accounts:twofactor_verify", "accounts:twofactor_enrol", "healthz"}
    failures = []
    for name, (kwargs, _expected) in MATRIX.items():
        url = reverse(name, args=kwargs(world) if kwargs else None)
        response = client.get(url)
        if name in ("accounts:logout", "accounts:set_language", "accounts:session_ping"):
            ok = response.status_code == 405
        elif name in allowed:
            ok = response.status_code in (200, 302)
        else:
            ok = response.status_code == 302 and response.url.startswith(enrol)
        if not ok:
            failures.append(f"{name} {url}: {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)


def test_a_crawl_of_a_regional_user_without_device_reads_only_the_enrolment_page(client, world, officer):
    login(client, officer)
    result = crawl(client, max_urls=300)
    assert len(result.pages) > 50  # every URL of the URL conf was asked
    read = {page.url.split("?")[0] for page in result.read}
    assert read <= {reverse("accounts:twofactor_enrol"), reverse("healthz")}, read
    assert "Zoé" not in "".join(page.text for page in result.pages)


def test_posts_and_htmx_requests_of_an_unverified_user_get_403_with_a_redirect_header(client, world, officer):
    give_device(officer)
    login(client, officer)
    polled = client.get(reverse("notifications:todo_list"), HTTP_HX_REQUEST="true")
    assert polled.status_code == 403 and polled["HX-Redirect"] == reverse("accounts:twofactor_verify")
    posted = client.post(reverse("pathways:beneficiary_create"), {"first_name": "Intrus"})
    assert posted.status_code == 403
    # Polled from the verification page itself, it is not reloaded.
    polled = client.get(
        reverse("notifications:todo_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{reverse('accounts:twofactor_verify')}?next=/",
    )
    assert polled.status_code == 403 and "HX-Redirect" not in polled


def test_logout_and_language_stay_reachable(client, officer):
    login(client, officer)
    assert client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:login"))


def test_staying_logged_in_works_on_the_set_up_and_code_pages(client, world, officer):
    """The idle warning shows on the set-up and code pages too: its "Rester connecté" keeps the session going
    there, instead of answering that the session ended."""
    login(client, officer)
    page = client.get(reverse("accounts:twofactor_enrol")).content.decode()
    assert reverse("accounts:session_ping") in page
    response = client.post(reverse("accounts:session_ping"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["seconds_left"] > 0
    give_device(officer)
    client.post(reverse("accounts:logout"))
    login(client, officer)
    assert reverse("accounts:session_ping") in client.get(reverse("accounts:twofactor_verify")).content.decode()
    response = client.post(reverse("accounts:session_ping"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["seconds_left"] > 0
    # It opens nothing else: the next page still asks for the code.
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_verify"))


def test_verified_regional_user_passes(client, world, officer):
    device = give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, officer)
        verify(client, device, NOON)
        assert client.get(reverse("pathways:pathway_list")).status_code == 200
        assert client.get(reverse("dashboards:basin", args=[world.basin.pk])).status_code == 200


def test_the_demo_exemption_lets_mandatory_roles_in_without_device(client, settings, officer):
    settings.TWO_FACTOR_ENFORCE_MANDATORY = False
    login(client, officer)
    assert client.get(reverse("pathways:home")).status_code == 200


def test_production_settings_enforce_two_factor():
    """The production settings, loaded as a server would load them: the obligation is on and cannot be turned off
    from the environment."""
    script = (
        "import config.settings.production as p; "
        "m = p.MIDDLEWARE; "
        "print(p.TWO_FACTOR_ENFORCE_MANDATORY, "
        "m.index('django_otp.middleware.OTPMiddleware') < m.index('accounts.middleware.TwoFactorMiddleware'), "
        "'accounts.admin_apps.AdminConfig' in p.INSTALLED_APPS)"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "x" * 60,
        "NOTES_ENCRYPTION_SALT": "y" * 32,
        "SITE_URL": "https://sans-rupture.example.org",
        "TWO_FACTOR_ENFORCE_MANDATORY": "false",
    }
    completed = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.split() == ["True", "True", "True"]


# --- The user's page ------------------------------------------------------------------------------------------


def verified_client(client, user, at=NOON):
    device = give_device(user)
    login(client, user)
    verify(client, device, at)
    return device


def test_the_account_page_shows_the_device_and_the_backup_codes_left(client, officer):
    with time_machine.travel(NOON, tick=False):
        verified_client(client, officer)
        services.twofactor_backup_codes_generate(user=officer)
        page = client.get(reverse("accounts:twofactor")).content.decode()
    assert "Téléphone" in page and re.search(r'id="backup-codes-left">\s*10\s*<', page)
    assert "Désactiver" not in page  # mandatory for a regional officer


def test_regenerating_backup_codes_replaces_the_old_ones(client, officer):
    with time_machine.travel(NOON, tick=False):
        verified_client(client, officer)
        old = set(services.twofactor_backup_codes_generate(user=officer))
        response = client.post(reverse("accounts:twofactor_backup_codes_regenerate"))
        assert response.url == reverse("accounts:twofactor_backup_codes")
        new = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
        assert len(new) == 10 and not (old & new)
        page = client.get(reverse("accounts:twofactor_backup_codes")).content.decode()
    assert all(code in page for code in new)


def test_an_optional_user_may_remove_their_device(client, world):
    trainer = world.user("trainer")
    with time_machine.travel(NOON, tick=False):
        verified_client(client, trainer)
        services.twofactor_backup_codes_generate(user=trainer)
        response = client.post(reverse("accounts:twofactor_remove"))
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=trainer).exists()
        assert not StaticDevice.objects.filter(user=trainer).exists()
        assert client.get(reverse("pathways:home")).status_code == 200


def test_a_mandatory_user_may_not_remove_their_device(client, officer):
    with time_machine.travel(NOON, tick=False):
        verified_client(client, officer)
        client.post(reverse("accounts:twofactor_remove"))
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_removing_or_regenerating_needs_a_verified_session(client, world):
    trainer = world.user("trainer")
    login(client, trainer)  # no device at login: nothing asked
    give_device(trainer)  # set up since, in another session
    response = client.post(reverse("accounts:twofactor_remove"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_verify"))
    # The session now knows of the device: the middleware refuses any form until a code is given.
    assert client.post(reverse("accounts:twofactor_backup_codes_regenerate")).status_code == 403
    assert TOTPDevice.objects.filter(user=trainer).exists()
    assert not StaticDevice.objects.filter(user=trainer).exists()


def test_management_pages_are_for_logged_in_users_and_posts_only(client, world):
    for name in ("accounts:twofactor", "accounts:twofactor_enrol", "accounts:twofactor_verify"):
        assert client.get(reverse(name)).url.startswith(reverse("accounts:login"))
    login(client, world.user("trainer"))
    for name in ("accounts:twofactor_remove", "accounts:twofactor_backup_codes_regenerate"):
        assert client.get(reverse(name)).status_code == 405


# --- The admin ------------------------------------------------------------------------------------------------


def test_the_admin_needs_a_verified_administrator(client, world):
    admin_user = world.user("admin")
    device = give_device(admin_user)
    with time_machine.travel(NOON, tick=False):
        login(client, admin_user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_verify"))
        verify(client, device, NOON)
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_site_refuses_an_unverified_administrator_by_itself(rf, world):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = world.user("admin")
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)
    request.user = world.user("trainer")
    request.user.is_verified = lambda: True
    assert not admin.site.has_permission(request)


def test_an_administrator_reset_removes_the_devices_and_is_recorded(client, world, officer):
    admin_user = world.user("admin")
    give_device(officer)
    services.twofactor_backup_codes_generate(user=officer)
    device = give_device(admin_user)
    with time_machine.travel(NOON, tick=False):
        login(client, admin_user)
        verify(client, device, NOON)
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [officer.pk]},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(officer),
        object_id=officer.pk,
        additional_data__event="two_factor_reset",
    )
    assert entry.actor == admin_user and entry.timestamp == NOON
    # At the next login the officer sets up a device again.
    client.post(reverse("accounts:logout"))
    login(client, officer)
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_enrol"))


def test_a_reset_while_logged_in_sends_to_enrolment(client, world, officer):
    device = give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, officer)
        services.twofactor_reset(user=officer, by=world.user("admin"))
        response = verify(client, device, NOON)
    assert response.status_code == 302
    assert client.get(reverse("pathways:home")).url.startswith(reverse("accounts:twofactor_enrol"))


def test_a_new_user_gets_a_key_of_their_own(client, db):
    first, second = UserFactory(is_staff=True), UserFactory(is_staff=True)
    keys = []
    for user in (first, second):
        login(client, user)
        client.get(reverse("accounts:twofactor_enrol"))
        keys.append(client.session[ENROL_KEY_SESSION_KEY])
        client.post(reverse("accounts:logout"))
    assert keys[0] != keys[1]


def test_the_organisation_setting_is_in_its_admin_page(client, world):
    admin_user = world.user("admin")
    device = give_device(admin_user)
    with time_machine.travel(NOON, tick=False):
        login(client, admin_user)
        verify(client, device, NOON)
        page = client.get(reverse("admin:pathways_organisation_change", args=[world.support.pk])).content.decode()
    assert 'name="two_factor_required"' in page


def test_only_the_embedded_demo_exempts_mandatory_roles():
    """`make run` (config.settings.dev) prints logins that work without an authenticator app."""
    script = "import config.settings.dev as d; print(d.TWO_FACTOR_ENFORCE_MANDATORY)"
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.split() == ["False"]


def test_a_staff_member_who_may_only_view_users_cannot_reset_a_second_factor(client, world, officer):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="accounts"))
    give_device(officer)
    with time_machine.travel(NOON, tick=False):
        login(client, staff)
        verify(client, give_device(staff), NOON)
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [officer.pk]},
        )
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert not LogEntry.objects.filter(additional_data__event="two_factor_reset").exists()


def test_the_admin_shows_whether_a_user_has_a_second_factor_never_its_key_or_backup_codes(client, world, officer):
    admin_user = world.user("admin")
    officer_device = give_device(officer)
    codes = services.twofactor_backup_codes_generate(user=officer)
    with time_machine.travel(NOON, tick=False):
        login(client, admin_user)
        verify(client, give_device(admin_user), NOON)
        changelist = client.get(reverse("admin:accounts_user_changelist"))
        assert changelist.status_code == 200
        rows = {user.pk: user.has_two_factor for user in changelist.context["cl"].result_list}
        assert rows[officer.pk] is True and rows[world.user("trainer").pk] is False
        result = crawl(client, start=["/admin/"], max_urls=300, per_route=3)
        static = StaticDevice.objects.get(user=officer)
        for url in (
            "/admin/otp_totp/totpdevice/",
            f"/admin/otp_totp/totpdevice/{officer_device.pk}/change/",
            f"/admin/otp_totp/totpdevice/{officer_device.pk}/config/",
            f"/admin/otp_totp/totpdevice/{officer_device.pk}/qrcode/",
            "/admin/otp_static/staticdevice/",
            f"/admin/otp_static/staticdevice/{static.pk}/change/",
        ):
            assert client.get(url).status_code in (302, 404), url
    pages = [page for page in result.read if page.url.startswith("/admin/")]
    assert len(pages) > 20
    secrets = [officer_device.key, twofactor.secret_for_manual_entry(officer_device).replace(" ", ""), *codes]
    leaked = [f"{page.url}: {secret}" for page in pages for secret in secrets if secret in page.text]
    assert not leaked, leaked
