"""Signed copies of the charter as PDF, built by a worker (`core.documents`, `core.pdf`): the version's
exact French text as signed, the region whose charter it is, the organisation, the signatory, the dates, the
validation and the organisation that made it, the SHA-256 digest and a verification code with its QR code pointing
to the public verification page.

The copy is requested in the signing transaction (and again at the validation, so the copy shows it). A
copy whose build fails stays "in preparation" and is retried (task backoff, then the sweeper): the signature stands
whatever happens to its copy.
"""

import datetime

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import slugify

from charter.models import SignatureCopy, SignatureEvent
from core.documents import document_build, document_sweep
from core.pdf import render_pdf
from pathways.validators import format_siret

PDF_TEMPLATE = "charter/pdf/copy.html"


def qr_data_uri(url: str) -> str:
    """The verification URL as an SVG QR code, inline (a PDF fetches nothing from the network)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1a1a1a")


def copy_pdf_context(copy: SignatureCopy) -> dict:
    signature = copy.signature
    events = list(signature.events.select_related("by", "by_organisation").order_by("at", "pk"))
    validation = next((e for e in events if e.kind == SignatureEvent.Kind.VALIDATED), None)
    commitments = list(signature.version.commitments.order_by("position"))
    return {
        "copy": copy,
        "signature": signature,
        "version": signature.version,
        "region": signature.version.region,
        "organisation": signature.organisation,
        "siret": format_siret(signature.organisation.siret),
        "commitments": commitments,
        "preamble": signature.version.preamble_fr,
        "validation": validation,
        "signed_at": timezone.localtime(signature.signed_at),
        "verification_url": signature.verification_url,
        "qr": qr_data_uri(signature.verification_url),
        "issued_at": timezone.localtime(),
    }


def _render(copy: SignatureCopy) -> bytes:
    # The French text is authoritative: the copy is in French whoever asks for it.
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(PDF_TEMPLATE, copy_pdf_context(copy))


def copy_filename(copy: SignatureCopy) -> str:
    """charte-v1-insup-cenon-2026-12-01.pdf (the day it was signed)."""
    signature = copy.signature
    day = timezone.localtime(signature.signed_at).date().isoformat()
    return f"charte-v{signature.version.number}-{slugify(signature.organisation.name)}-{day}.pdf"


def copy_build(copy_id: int) -> bool:
    """Build one copy; False when there is nothing to do. A failure leaves it pending and is raised (retried)."""
    return document_build(
        SignatureCopy,
        copy_id,
        related=("signature__version__region", "signature__organisation"),
        render=_render,
        filename=copy_filename,
        retry_failures=True,
    )


def copy_sweep(*, now: datetime.datetime | None = None) -> int:
    """Build the copies still pending a while after their request (broker down, worker lost, failed build)."""
    return document_sweep(SignatureCopy, copy_build, now=now)


def latest_copy(signature) -> SignatureCopy | None:
    """The newest copy of `signature` (prefetched `copies` when available)."""
    copies = sorted(signature.copies.all(), key=lambda c: (c.requested_at, c.pk), reverse=True)
    return copies[0] if copies else None


def ready_copy(signature) -> SignatureCopy | None:
    """The newest built copy, the one to download."""
    return next(
        (
            c
            for c in sorted(signature.copies.all(), key=lambda c: (c.requested_at, c.pk), reverse=True)
            if c.status == SignatureCopy.Status.READY
        ),
        None,
    )
