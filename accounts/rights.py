"""The documents of the rights of the person (issue 20), built by a worker (`core.documents`): the information
notice as PDF and the right-of-access export (JSON and a readable PDF).

`accounts` stands on floor 1: what a document holds is read by the apps above, which register a renderer per
(kind, format) from their `AppConfig.ready()` (`register_renderer`): `pathways` renders the notice and the export
(the export's content comes from `accounts.personal_data`, where every app declares a person's data). This module
requests, builds and sweeps them.
"""

from collections.abc import Callable

from django.db import transaction

from accounts.models import RightsDocument
from core.documents import document_build, document_enqueue, document_sweep

BUILD_TASK = "accounts.tasks.build_rights_document_task"

_RENDERERS: dict[tuple[str, str], Callable[[RightsDocument], bytes]] = {}


def register_renderer(kind: str, format: str, render: Callable[[RightsDocument], bytes]) -> None:
    """`render(document)` returns the bytes of a `kind` document in `format` (called by the worker)."""
    _RENDERERS[(kind, format)] = render


def _render(document: RightsDocument) -> bytes:
    try:
        render = _RENDERERS[(document.kind, document.format)]
    except KeyError:
        raise LookupError(
            f"No renderer for {document.kind} {document.format} (accounts.rights.register_renderer)"
        ) from None
    return render(document)


def filename(document: RightsDocument) -> str:
    stem = "notice-information" if document.kind == RightsDocument.Kind.NOTICE else "droit-d-acces"
    return f"{stem}-{document.beneficiary_id}-{document.requested_at:%Y%m%d}.{document.format}"


CONTENT_TYPES = {RightsDocument.Format.PDF: "application/pdf", RightsDocument.Format.JSON: "application/json"}


def rights_document_request(
    *,
    beneficiary,
    kind: str,
    format: str,
    by,
    language: str = "fr",
    released_by=None,
    include_confidential: bool = False,
) -> RightsDocument:
    """Ask a worker for a document about `beneficiary`; the request row is written now, the build enqueued on
    commit (the sweeper builds it if the broker is down)."""
    with transaction.atomic():
        document = RightsDocument(
            beneficiary=beneficiary,
            kind=kind,
            format=format,
            language=language,
            requested_by=by,
            released_by=released_by,
            include_confidential=include_confidential,
        )
        document.full_clean()
        document.save()
        document_enqueue(BUILD_TASK, document.pk)
    return document


def access_export_request(
    *, beneficiary, by, language: str, released_by, include_confidential: bool
) -> list[RightsDocument]:
    """The right-of-access export: its JSON and its readable PDF, asked together in one transaction (the person's
    page for the referent or a facilitator, the data-protection page for a DPO)."""
    with transaction.atomic():
        return [
            rights_document_request(
                beneficiary=beneficiary,
                kind=RightsDocument.Kind.ACCESS,
                format=format,
                language=language,
                by=by,
                released_by=released_by,
                include_confidential=include_confidential,
            )
            for format in (RightsDocument.Format.JSON, RightsDocument.Format.PDF)
        ]


def rights_document_build(pk: int) -> bool:
    return document_build(
        RightsDocument,
        pk,
        related=("beneficiary__region", "requested_by", "released_by"),
        render=_render,
        filename=filename,
    )


def rights_document_sweep() -> int:
    return document_sweep(RightsDocument, rights_document_build)
