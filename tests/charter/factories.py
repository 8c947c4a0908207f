"""Charter test data: a region's first version (the reference text, as `charter.services.version_one_publish`
publishes it), signatures made through the service, versions published through the service."""

from django.core.files.base import ContentFile

from charter.models import CharterVersion, SignatureCopy
from charter.services import (
    charter_sign,
    draft_create,
    draft_save,
    regions_decided,
    version_one_publish,
    version_publish,
)
from pathways.models import Region


def first_version(region) -> CharterVersion:
    """Version 1 of `region`'s charter (the reference text), published."""
    return version_one_publish(region=region)


def sign(organisation, user, **overrides):
    first_version(organisation.region)
    arguments = {
        "signatory_name": user.get_full_name() or "Camille Durand",
        "signatory_function": "Directrice",
        "consent": True,
    }
    arguments.update(overrides)
    return charter_sign(organisation=organisation, by=user, **arguments)


def publish_new_version(by, *, region=None, grace_days=90, change="Texte mis à jour.", today=None) -> CharterVersion:
    """A new version of `region`'s charter (by default the first region where `by` decides) whose preamble changed,
    published by `by` (a regional officer of the region's scheme organisation)."""
    if region is None:
        region = Region.objects.filter(pk__in=regions_decided(by)).order_by("pk").first()
    first_version(region)
    draft = draft_create(by=by, region=region)
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
