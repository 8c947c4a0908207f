from celery import shared_task

from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP, RETRY
from ruptures.services import resumptions_remind


@shared_task(**RETRY)
def remind_resumptions_task() -> int:
    """Beat: the referent hears on the day a suspended stage is due to resume (once per stage and day)."""
    return resumptions_remind()


@shared_task(**DOCUMENT_BUILD)
def build_attestation_task(attestation_id: int) -> bool:
    """Build one skills attestation (enqueued on commit of its request). Idempotent."""
    from ruptures.attestations import attestation_build

    return attestation_build(attestation_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_attestations_task() -> int:
    """Beat: build the skills attestations still pending a while after their request (broker down, worker lost)."""
    from ruptures.attestations import attestation_sweep

    return attestation_sweep()
