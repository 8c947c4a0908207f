"""Two-factor authentication (TOTP with django-otp, backup codes): who must use it and where a session stands.

Whether the second factor is mandatory for a user is answered here; the roles that make it mandatory live on upper
floors (`pathways` memberships), which register a requirement from their `AppConfig.ready()`:

    accounts.twofactor.register_requirement(pathways.twofactor.requires_two_factor)

A session remembers, from the login on, whether its user has a confirmed device and whether the second factor is
mandatory for them (`SESSION_KEY`): `accounts.middleware.TwoFactorMiddleware` reads it on every request and sends an
unverified user to verification or enrolment. For a user without a device, whether it is mandatory is asked again on
every request (an organisation manager may switch it on while their members are logged in), from the memberships the
request reads anyway.
"""

import base64
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_KEY = "twofactor"
# The step a session must go through before reaching any page.
VERIFY = "verify"
ENROL = "enrol"

_requirements: list[Callable] = []


def register_requirement(requirement: Callable) -> None:
    """`requirement(user, *, during_request=False) -> bool` says the second factor is mandatory for `user` (one query
    at most). `during_request`: `user` is the user of the request being served (`request.user`), so the requirement
    may read what the request loads anyway and keep it for the rest of the request."""
    if requirement not in _requirements:
        _requirements.append(requirement)


def is_mandatory(user, *, during_request: bool = False) -> bool:
    """Administrators, and whoever a registered requirement names (regional staff, facilitators, the members of an
    organisation that asks for it)."""
    if user.is_staff or user.is_superuser:
        return True
    return any(requirement(user, during_request=during_request) for requirement in _requirements)


def is_enforced() -> bool:
    """False only in the embedded demo (config/settings/dev.py), never in production."""
    return settings.TWO_FACTOR_ENFORCE_MANDATORY


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_device():
    """The confirmed authenticator apps (a queryset with a `user` column), to count who has one."""
    return TOTPDevice.objects.filter(confirmed=True)


def has_device_expression(user_field: str = "user"):
    """`Exists(...)` to annotate rows pointing at a user (by `user_field`) with whether that user has a confirmed
    authenticator app: a column of a list in the same query, never one query per row."""
    from django.db.models import Exists, OuterRef

    return Exists(TOTPDevice.objects.filter(user=OuterRef(user_field), confirmed=True))


def is_verified(user) -> bool:
    """The user gave a code of one of their devices in this session (django-otp's middleware)."""
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def remember(request, user=None) -> dict:
    """Write in the session whether its user has a confirmed device and whether the second factor is mandatory for
    them; return it."""
    user = user or request.user
    state = {"device": has_device(user), "mandatory": is_mandatory(user)}
    request.session[SESSION_KEY] = state
    return state


def pending_step(request) -> str | None:
    """What an authenticated, unverified session must do before reaching a page: VERIFY (it has a device), ENROL
    (it must set one up) or None."""
    state = request.session.get(SESSION_KEY)
    if state is None:  # a session opened before two-factor authentication existed
        state = remember(request)
    if state["device"]:
        return VERIFY
    if not is_enforced():
        return None
    # Without a device, whether it is mandatory is asked again on each request: an organisation may have made it
    # mandatory (or no longer) since the login, a role may have been granted or ended. The requirements read the
    # memberships the request loads anyway (`pathways.scoping.active_memberships`), so this costs no query on a page.
    mandatory = is_mandatory(request.user, during_request=True)
    if mandatory != state["mandatory"]:
        request.session[SESSION_KEY] = {**state, "mandatory": mandatory}
    return ENROL if mandatory else None


def may_remove(user) -> bool:
    """A user may remove their device unless the second factor is mandatory for them."""
    return not (is_enforced() and is_mandatory(user))


def forget_verification(request) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def unsaved_device(user, key: str) -> TOTPDevice:
    """The device a key (hex) being set up will make, to show its QR code before it is confirmed."""
    return TOTPDevice(user=user, key=key)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's `otpauth://` address as a QR code, an SVG `data:` image (the CSP allows `data:` images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The key in base 32, by groups of four, to type into an authenticator app that cannot read the QR code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@receiver(user_logged_in, dispatch_uid="accounts.twofactor.remember")
def _remember_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember(request, user)
