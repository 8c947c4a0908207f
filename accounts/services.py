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


def user_invite_send(*, user, organisation_name: str, invited_by) -> None:
    """E-mail `user` a link to choose their password, in their language (three templates: subject, text, HTML)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
    context = {"user": user, "organisation_name": organisation_name, "invited_by": invited_by, "link": link}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/emails/invitation_subject.txt", context).strip()
        text = render_to_string("accounts/emails/invitation.txt", context)
        html = render_to_string("accounts/emails/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
