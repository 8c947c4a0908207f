from celery import shared_task

from core.tasks import DOCUMENT_BUILD, DOCUMENT_SWEEP


@shared_task(**DOCUMENT_BUILD)
def build_pdf_task(pdf_id: int) -> bool:
    """Build one checklist PDF (enqueued on commit of its request). Idempotent."""
    from checklist.pdf import pdf_build

    return pdf_build(pdf_id)


@shared_task(**DOCUMENT_SWEEP)
def sweep_pdfs_task() -> int:
    """Beat: build the checklist PDFs still pending a while after their request."""
    from checklist.pdf import pdf_sweep

    return pdf_sweep()
