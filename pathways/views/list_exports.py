"""A long list's export built by a worker (`pathways.export_documents`): its progress page (polled by htmx while the
worker builds it) and its download, for its requester only (404 for anyone else), while they still see every
person it names."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways import export_documents, scoping
from pathways.models import ListExportDocument

POLL_SECONDS = 2


def _document(request, pk) -> ListExportDocument:
    document = scoping.scope(ListExportDocument.objects.all(), request.user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


@require_GET
def list_export_detail(request, pk):
    document = _document(request, pk)
    context = {"document": document, "poll_seconds": POLL_SECONDS}
    if request.htmx:
        return render(request, "pathways/includes/list_export_status.html", context)
    return render(request, "pathways/list_export_detail.html", context)


@require_GET
def list_export_download(request, pk):
    document = _document(request, pk)
    if not export_documents.still_in_scope(document, request.user):
        raise Http404
    return export_documents.download(document)
