import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import access_log
from accounts.models import AccessLog, PasswordResetRequest


def access_log_record(*, user, beneficiary, view_name: str, acting_organisation=None, action=AccessLog.Action.READ):
    """Record that `user` read or changed `beneficiary`'s record through `view_name` (`accounts.access_log.record`).

    `beneficiary` is None only for a duplicate check that found nobody.
    """
    return access_log.record(
        user=user,
        beneficiary=beneficiary,
        view_name=view_name,
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


# --------------------------------------------------------------------------------------------------------------
# Rights of the person: the information notice handed over, objections to a sharing. The views that call these
# (in `pathways`, where the person's page is) have fetched the person through the scoping layer, which logged it.


def notice_handover_record(*, beneficiary, by, method: str, language: str = "fr"):
    """Record that `by` handed the information notice over to `beneficiary` (on paper or sent), in `language`."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from accounts.models import NoticeHandover

    if method not in NoticeHandover.Method.values:
        raise ValidationError({"method": _("Dites comment la notice a été remise.")})
    with transaction.atomic():
        handover = NoticeHandover(beneficiary=beneficiary, handed_by=by, method=method, language=language)
        handover.full_clean()
        handover.save()
    return handover


def sharing_objection_record(*, beneficiary, organisation, by, reason: str = "", protected_organisations=()):
    """Record that `beneficiary` objects to `organisation` seeing their record: from the commit on, the scoping layer
    takes them out of the scope of all its members. `protected_organisations` (ids) are those that cannot be
    objected to (the referent's own: someone must hold the pathway); the caller computes them."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from accounts.models import SharingObjection

    if organisation is None:
        raise ValidationError({"organisation": _("Choisissez la structure.")})
    if organisation.pk in set(protected_organisations):
        raise ValidationError(
            {
                "organisation": _(
                    "La structure du ou de la référent·e de parcours ne peut pas faire l'objet d'une opposition : "
                    "changez d'abord de référent·e."
                )
            }
        )
    if organisation.region_id != beneficiary.region_id:
        raise ValidationError({"organisation": _("Choisissez une structure de la région de la personne.")})
    with transaction.atomic():
        objection = SharingObjection(
            beneficiary=beneficiary, organisation=organisation, recorded_by=by, reason=reason.strip()
        )
        objection.full_clean()
        objection.save()
    return objection


def sharing_objection_withdraw(*, objection, by):
    """The person withdraws their objection: the organisation sees them again (if it has a way to). The row stays,
    with who withdrew it and when (the history of the person's choices). Withdrawing twice changes nothing."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import SharingObjection

    with transaction.atomic():
        objection = SharingObjection.objects.select_for_update().get(pk=objection.pk)
        if objection.withdrawn_at is None:  # saved (not updated) so that the audit log records it
            objection.withdrawn_at = timezone.now()
            objection.withdrawn_by = by
            objection.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return objection


def password_reset_request(*, email: str, ip_address: str | None) -> PasswordResetRequest:
    """Record a "mot de passe oublié" request for `email` and have a worker send it (`password_reset_send`).

    The same work whatever the address: no account is looked up here, so neither the answer nor its time tells
    whether an account exists. Past `PASSWORD_RESET_PER_EMAIL_PER_HOUR` requests for the address, or
    `PASSWORD_RESET_PER_IP_PER_HOUR` from the client, in the last hour, the request is recorded as refused and
    nothing is sent."""
    from django.conf import settings
    from django.utils import timezone

    from core.tasks import enqueue_on_commit

    email = email.strip().lower()
    now = timezone.now()
    recent = PasswordResetRequest.objects.since(now - datetime.timedelta(hours=1))
    # both counts every time: a refused request takes the same queries as another
    per_email = recent.filter(email=email).count()
    per_ip = recent.filter(ip_address=ip_address).count() if ip_address is not None else 0
    limited = (
        per_email >= settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR or per_ip >= settings.PASSWORD_RESET_PER_IP_PER_HOUR
    )
    status = PasswordResetRequest.Status.LIMITED if limited else PasswordResetRequest.Status.PENDING
    reset = PasswordResetRequest.objects.create(
        email=email, ip_address=ip_address, requested_at=now, status=status, processed_at=now if limited else None
    )
    if not limited:
        enqueue_on_commit(
            "accounts.tasks.password_reset_send_task", reset.pk, catch_up="the password-reset sweeper sends it"
        )
    return reset


def password_reset_users(email: str):
    """The accounts a reset for `email` goes to: active, with a password (Django's `PasswordResetForm` rule; an
    invited person without a password chooses it from their invitation)."""
    from django.contrib.auth import get_user_model

    return [
        user
        for user in get_user_model().objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password()
    ]


def password_reset_send(*, reset_id: int) -> bool:
    """Send the reset link of request `reset_id` if it is still pending and an active account has its address;
    mark it done either way. Idempotent: a request already handled, or being handled by another worker, is left
    alone. The e-mail carries a fixed Message-ID, so a resend after a crash shows once. Returns whether an e-mail
    was sent."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import timezone, translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    with transaction.atomic():
        reset = (
            PasswordResetRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=reset_id, status=PasswordResetRequest.Status.PENDING)
            .first()
        )
        if reset is None:
            return False
        users = password_reset_users(reset.email)
        for user in users:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            link = settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
            context = {"user": user, "link": link}
            with translation.override(user.language or settings.LANGUAGE_CODE):
                subject = render_to_string("accounts/emails/password_reset_subject.txt", context).strip()
                text = render_to_string("accounts/emails/password_reset.txt", context)
                html = render_to_string("accounts/emails/password_reset.html", context)
            message = EmailMultiAlternatives(subject, text, to=[user.email], headers={"Message-ID": reset.message_id})
            message.attach_alternative(html, "text/html")
            message.send()
        reset.status = PasswordResetRequest.Status.SENT if users else PasswordResetRequest.Status.NO_ACCOUNT
        reset.processed_at = timezone.now()
        reset.save(update_fields=["status", "processed_at"])
    return bool(users)


def password_resets_pending(*, older_than_seconds: int) -> list[int]:
    """Ids of the requests still pending `older_than_seconds` after they were made (their task was lost)."""
    from django.utils import timezone

    moment = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(
        PasswordResetRequest.objects.filter(status=PasswordResetRequest.Status.PENDING, requested_at__lte=moment)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:500]
    )


def password_resets_purge(*, older_than_days: int) -> int:
    """Delete the reset requests older than `older_than_days` (they were kept for the rate limits and the record)."""
    from django.utils import timezone

    moment = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _ = PasswordResetRequest.objects.filter(requested_at__lt=moment).delete()
    return deleted


def login_attempts_purge() -> int:
    """Delete the failed logins older than the cool-off (axes deletes them at the next login attempt; this also
    does when nobody tries)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    moment = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=moment).delete()
    return deleted


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


@transaction.atomic
def retention_policies_set(*, region, months: dict[str, int | None], by) -> int:
    """Set `region`'s retention durations, all at once or none: `months` maps a category to its months (1–120), or
    to None to follow the default again (the region's row is deleted); the access log no shorter than
    `RetentionPolicy.ACCESS_LOG_MIN_MONTHS`.
    Return how many categories changed; each change is recorded in the change history (auditlog): who, when, which
    category, from, to. A shorter duration anonymises sooner, from the next run of the nightly job."""
    from auditlog.models import LogEntry

    from accounts import retention
    from accounts.models import RetentionPolicy

    unknown = sorted(set(months) - set(retention.region_categories()))
    if unknown:
        raise ValidationError(
            _("Ces catégories ne se règlent pas par région : %(categories)s.") % {"categories": ", ".join(unknown)}
        )
    current = {
        policy.category: policy
        for policy in RetentionPolicy.objects.select_for_update().filter(region=region, category__in=list(months))
    }
    changed = 0
    for category, value in months.items():
        policy = current.get(category)
        before = policy.months if policy is not None else None
        if value == before:
            continue
        if value is None:
            action = LogEntry.Action.DELETE
            entry_pk = policy.pk
            policy.delete()
            policy.pk = entry_pk
        else:
            action = LogEntry.Action.UPDATE if policy is not None else LogEntry.Action.CREATE
            policy = policy or RetentionPolicy(region=region, category=category)
            policy.months = value
            policy.full_clean()
            policy.save()
        LogEntry.objects.log_create(
            policy,
            action=action,
            changes={"months": [str(before), str(value)]},
            actor=by,
            additional_data={"event": "retention_policy_set", "region": region.pk, "category": category},
            force_log=True,
        )
        changed += 1
    return changed
