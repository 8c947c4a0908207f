from celery import shared_task
from django.core.management import call_command


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def clear_expired_sessions_task():
    """Beat housekeeping: remove expired login sessions from the database (idempotent)."""
    call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_task(user_id: int, organisation_id: int, invited_by_id: int):
    """Invite a new member to choose their password. Skipped once they have one (idempotent on retry)."""
    from accounts.models import User
    from accounts.services import user_invite_send
    from pathways.models import Organisation

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return "skipped"
    organisation = Organisation.objects.get(pk=organisation_id)
    user_invite_send(
        user=user,
        organisation_name=organisation.name,
        invited_by=User.objects.filter(pk=invited_by_id).first(),
    )
    return "sent"
