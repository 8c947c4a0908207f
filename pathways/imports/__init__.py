"""Imports with a preview (issue 21): sessions from a LHÉO file of the regional offer (`lheo`), people with their
enrolment from CSV or XLSX (`people`).

A file is uploaded, kept in an `ImportFile` row owned by its uploader, parsed into a plan (`Plan`: one `PlanRow` per
line, with what it will create or reuse and its errors) shown as a preview; nothing is written until the uploader
confirms, and the confirmation parses the file again and writes every row in one transaction, through the same
services as the pages (all or nothing).
"""

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathways import scoping
from pathways.models import ImportFile, Membership, Organisation

# Limits of an uploaded file.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# An upload not confirmed within this delay is deleted (it may hold personal data).
MAX_AGE = datetime.timedelta(hours=2)

IMPORTER_ROLES = frozenset({Membership.Role.PEDAGOGICAL_MANAGER, Membership.Role.ORG_MANAGER})

EXTENSIONS = {
    ImportFile.Kind.PEOPLE: (".csv", ".xlsx"),
    ImportFile.Kind.LHEO: (".xml",),
}


def importing_organisations(user) -> list[Organisation]:
    """The training bodies `user` imports into: those where they are pedagogical or organisation manager."""
    seen = {}
    for membership in scoping.active_memberships(user):
        if membership.role in IMPORTER_ROLES and membership.organisation.kind == Organisation.Kind.TRAINING_BODY:
            seen.setdefault(membership.organisation_id, membership.organisation)
    return sorted(seen.values(), key=lambda org: org.name)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def import_files_purge() -> int:
    """Delete the uploads left unconfirmed past `MAX_AGE` (a beat job, and each upload); a confirmed upload keeps
    only its summary, its content was emptied when it was imported."""
    deleted, _by_model = ImportFile.objects.filter(
        status=ImportFile.Status.PENDING, created_at__lt=timezone.now() - MAX_AGE
    ).delete()
    return deleted


@transaction.atomic
def import_file_store(*, by, organisation: Organisation, kind: str, filename: str, content: bytes) -> ImportFile:
    """Keep an uploaded file until its confirmation; delete the uploads left unconfirmed past `MAX_AGE`."""
    import_files_purge()
    return ImportFile.objects.create(
        kind=kind,
        organisation=organisation,
        uploaded_by=by,
        filename=filename[:255],
        content=content,
        sha256=sha256(content),
    )


def pending_imports(user):
    """The uploads `user` may preview and confirm: their own, pending, fresh, for an organisation they still import
    into (a membership ended since the upload ends it too)."""
    return ImportFile.objects.filter(
        uploaded_by=user,
        status=ImportFile.Status.PENDING,
        created_at__gte=timezone.now() - MAX_AGE,
        organisation__in=[org.pk for org in importing_organisations(user)],
    )


class FileRefused(Exception):
    """The file cannot be read at all (too large, wrong type, broken): one message for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check_upload(*, kind: str, filename: str, size: int) -> None:
    if size > MAX_BYTES:
        raise FileRefused(
            _("Ce fichier dépasse %(mb)s Mo : découpez-le en plusieurs fichiers.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if size == 0:
        raise FileRefused(_("Ce fichier est vide."))
    if not filename.lower().endswith(EXTENSIONS[kind]):
        raise FileRefused(
            _("Ce type de fichier n'est pas accepté : choisissez un fichier %(types)s.")
            % {"types": ", ".join(ext.lstrip(".").upper() for ext in EXTENSIONS[kind])}
        )
