"""Charter test data: the first version (shipped by a data migration; recreated if a transactional test flushed
it), signatures made through the service, versions published through the service."""

import importlib

from django.apps import apps
from django.core.files.base import ContentFile

from charter.models import CharterVersion, SignatureCopy
from charter.services import charter_sign, draft_create, draft_save, version_publish

first_version_migration = importlib.import_module("charter.migrations.0002_first_version")


def first_version() -> CharterVersion:
    """Version 1 as the data migration ships it."""
    if not CharterVersion.objects.filter(number=1).exists():
        first_version_migration.create_first_version(apps, None)
    return CharterVersion.objects.get(number=1)


def sign(organisation, user, **overrides):
    first_version()
    arguments = {
        "signatory_name": user.get_full_name() or "Camille Durand",
        "signatory_function": "Directrice",
        "consent": True,
    }
    arguments.update(overrides)
    return charter_sign(organisation=organisation, by=user, **arguments)


def publish_new_version(by, *, grace_days=90, change="Texte mis à jour.", today=None) -> CharterVersion:
    """A new version whose preamble changed, published by `by` (a regional officer)."""
    first_version()
    draft = draft_create(by=by)
    commitments = [
        {"id": c.pk, "title_fr": c.title_fr, "text_fr": c.text_fr, "title_en": c.title_en, "text_en": c.text_en}
        for c in draft.commitments.order_by("position")
    ]
    draft_save(
        draft=draft,
        by=by,
        fields={
            "title_fr": draft.title_fr,
            "title_en": draft.title_en,
            "preamble_fr": f"{draft.preamble_fr}\n\n{change}",
            "preamble_en": draft.preamble_en,
        },
        commitments=commitments,
    )
    return version_publish(draft=draft, by=by, renewal_grace_days=grace_days, today=today)


def ready_copy(signature, content=b"%PDF-1.4 minimal"):
    copy = SignatureCopy(signature=signature, status=SignatureCopy.Status.READY)
    copy.file.save("copie.pdf", ContentFile(content), save=False)
    copy.save()
    return copy
