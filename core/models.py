"""The abstract model of the documents built by workers (attendance statements, skills attestations, signed
charter copies, checklist PDFs, later the commission reports): one request row per document, claimed for a lease,
rendered, then stored with its file (`core.documents`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def document_upload_to(instance, filename: str) -> str:
    """`<the model's UPLOAD_FOLDER>/<year>/<month>/<filename>`."""
    return f"{instance.UPLOAD_FOLDER}/{timezone.now():%Y/%m}/{filename}"


class Document(models.Model):
    """A document requested by someone and built by a worker. Subclasses name their `UPLOAD_FOLDER` and what the
    document is about; their `Meta` adds an index on (status, requested_at) for the sweeper."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En préparation")
        READY = "ready", _("Disponible")
        FAILED = "failed", _("Échec")

    UPLOAD_FOLDER = "documents"

    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("fichier"), upload_to=document_upload_to, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    claimed_until = models.DateTimeField(_("en cours de fabrication jusqu'à"), null=True, blank=True)
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-pk"]
