from accounts import access_log
from accounts.models import AccessLog


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
