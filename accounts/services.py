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
