from celery import shared_task

from core.tasks import RETRY
from pathways.services.memberships import membership_invitation_send


@shared_task(**RETRY)
def membership_invitation_send_task(invitation_id: int) -> str:
    """E-mail one invitation (enqueued on commit when it is made or sent again). Skipped once sent or answered."""
    return membership_invitation_send(invitation_id=invitation_id)
