from celery import shared_task

from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY
from pathways.imports import import_files_purge
from pathways.services.memberships import membership_invitation_send, membership_invitations_unsent


@shared_task(**RETRY)
def membership_invitation_send_task(invitation_id: int) -> str:
    """E-mail one invitation (enqueued on commit when it is made or sent again). Skipped once sent or answered."""
    return membership_invitation_send(invitation_id=invitation_id)


@shared_task(**RETRY)
def sweep_membership_invitations_task() -> int:
    """Beat: enqueue again the invitation e-mails still unsent a while after they were asked for (a broker outage
    at the time loses nothing); each send is idempotent."""
    ids = membership_invitations_unsent()
    for invitation_id in ids:
        membership_invitation_send_task.delay(invitation_id)
    return len(ids)


@shared_task(**RETRY)
def purge_import_files_task() -> int:
    """Beat: delete the import files left unconfirmed past `pathways.imports.MAX_AGE` (they may hold personal data)."""
    return import_files_purge()


@shared_task(**DOCUMENT_BUILD)
def build_list_export_task(document_id: int) -> bool:
    """Build one long list export (enqueued on commit of its request). Idempotent: an export built, failed or held
    by another worker is left alone."""
    from pathways.export_documents import list_export_build

    return list_export_build(document_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_list_exports_task() -> int:
    """Beat: build the list exports still pending (broker down, worker lost)."""
    from pathways.export_documents import list_export_sweep

    return list_export_sweep()
