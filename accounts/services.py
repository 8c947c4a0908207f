from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog


def access_log_record(*, user, beneficiary, view_name: str, acting_organisation=None, action=AccessLog.Action.READ):
    """Record that `user` read or changed `beneficiary`'s record through `view_name`.

    `beneficiary` is None only for a duplicate check that found nobody.
    """
    return AccessLog.objects.create(
        user=user,
        beneficiary=beneficiary,
        view_name=view_name[:100],
        acting_organisation=acting_organisation,
        action=action,
    )


def user_invite_send(
    *,
    user,
    organisation_name: str,
    invited_by,
    role_name: str,
    accept_url: str,
    expires_at,
    message_id: str | None = None,
) -> None:
    """E-mail `user` that `invited_by` offers them `role_name` in `organisation_name`, with the page where they accept
    it (`accept_url`, after logging in) until `expires_at`; an account without a password also gets the link to
    choose one. In the user's language, three templates (subject, text, HTML). `message_id` stays the same when a
    retried task sends the same e-mail again, so the mailbox shows it once."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    password_link = ""
    if not user.has_usable_password():
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        password_link = settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
    context = {
        "user": user,
        "organisation_name": organisation_name,
        "invited_by": invited_by,
        "role_name": role_name,
        "link": password_link,
        "accept_url": accept_url,
        "expires_at": expires_at,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/emails/invitation_subject.txt", context).strip()
        text = render_to_string("accounts/emails/invitation.txt", context)
        html = render_to_string("accounts/emails/invitation.html", context)
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject, text, to=[user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()


# --- Two-factor authentication (accounts.twofactor) -----------------------------------------------------------


def twofactor_new_key() -> str:
    """A fresh TOTP key (hex), kept in the session until the user confirms it with a first code."""
    from django_otp.plugins.otp_totp.models import default_key

    return default_key()


@transaction.atomic
def twofactor_enrol(*, user, key: str, token: str):
    """Confirm the key `key` (hex) with a first code from the user's authenticator app: it becomes their device, in
    place of any earlier one, with a new set of backup codes. Returns `(device, backup_codes)`, or None when the code
    is wrong (nothing is written)."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").replace(" ", "")
    if not token.isdigit():
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    if not totp.verify(int(token), tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice(user=user, name=str(_("Application d'authentification")), key=key, confirmed=True)
    device.last_t = totp.t()  # this code cannot be given again
    device.full_clean()
    device.save()
    return device, twofactor_backup_codes_generate(user=user)


def twofactor_verify(*, device, token: str) -> bool:
    """Check a code against one device of a user (locked while it is checked, so that throttling and single use
    hold under concurrent tries); a backup code is used up."""
    import django_otp

    return django_otp.verify_token(device.user, device.persistent_id, token) is not None


@transaction.atomic
def twofactor_backup_codes_generate(*, user) -> list[str]:
    """Give `user` a new set of backup codes (each works once), replacing the earlier ones; return them, to be shown
    once."""
    from django.conf import settings
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("Codes de secours")), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def twofactor_remove(*, user) -> int:
    """Remove every second-factor device of `user` (authenticator app and backup codes); return how many."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    return removed


@transaction.atomic
def twofactor_reset(*, user, by):
    """An administrator (`by`) removes `user`'s devices: at their next login they set one up again when it is
    mandatory for them. Recorded in the change history (auditlog): who reset whom, when."""
    from auditlog.models import LogEntry

    removed = twofactor_remove(user=user)
    return LogEntry.objects.log_create(
        user,
        action=LogEntry.Action.UPDATE,
        changes={"two_factor": ["configured" if removed else "none", "reset"]},
        actor=by,
        additional_data={"event": "two_factor_reset", "devices_removed": removed},
        force_log=True,
    )
