"""Migration 0005: the charter versions that served every region become each region's own; every signature points
to its organisation's region's copy, whose text and digest are the same, so signed copies and verification codes
still verify and no status changes."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from charter import reference
from charter.models import CharterReminder, CharterVersion, Signature, SignatureEvent, digest_of

pytestmark = pytest.mark.django_db(transaction=True)


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def before():
    """Every app at its latest migration, the charter before it became regional."""
    return [node for node in leaves() if node[0] != "charter"] + [("charter", "0004_documents_share_core_base")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def signed_text(number, preamble):
    """The text as `CharterVersion.signed_text` writes it (the historical models have no methods)."""
    commitments = [SimpleNamespace(position=i, **c) for i, c in enumerate(reference.commitments(), start=1)]
    return CharterVersion(number=number, title_fr=reference.TITLE_FR, preamble_fr=preamble).signed_text(commitments)


def test_each_region_gets_its_own_versions_and_every_signature_still_verifies(client):
    old = migrate(before())
    Region, Organisation = old.get_model("pathways", "Region"), old.get_model("pathways", "Organisation")
    User = old.get_model("accounts", "User")
    Version, Commitment = old.get_model("charter", "CharterVersion"), old.get_model("charter", "Commitment")
    OldSignature, Event = old.get_model("charter", "Signature"), old.get_model("charter", "SignatureEvent")
    Reminder = old.get_model("charter", "CharterReminder")
    user = User.objects.create(email="signataire@example.org")
    regions = [
        Region.objects.create(code="75", name="Nouvelle-Aquitaine"),
        Region.objects.create(code="76", name="Occitanie"),
    ]
    organisations = [
        Organisation.objects.create(name=f"Structure {region.code}", kind="training_body", region=region)
        for region in regions
    ]
    versions = []
    for number, preamble in ((1, reference.PREAMBLE_FR), (2, reference.PREAMBLE_FR + "\n\nVersion 2.")):
        version = Version.objects.create(
            number=number, title_fr=reference.TITLE_FR, preamble_fr=preamble, renewal_grace_days=90
        )
        Commitment.objects.bulk_create(
            Commitment(version=version, position=i, **c) for i, c in enumerate(reference.commitments(), start=1)
        )
        Version.objects.filter(pk=version.pk).update(published_at=timezone.now(), published_by=user)
        versions.append(version)
    codes = {}
    for organisation, (version, code) in zip(
        organisations, ((versions[0], "AAAAABBBBB"), (versions[1], "CCCCCDDDDD")), strict=True
    ):
        text = signed_text(version.number, version.preamble_fr)
        signature = OldSignature.objects.create(
            version=version,
            organisation=organisation,
            signed_by=user,
            signatory_name="Camille Durand",
            signatory_function="Directrice",
            consent=True,
            signed_text=text,
            digest=digest_of(text),
            code=code,
        )
        codes[organisation.region_id] = signature.code
    # The first region's version 1 signature turned "to renew" when version 2 was published; the second region's
    # organisation was reminded to sign version 2.
    Event.objects.create(
        signature=OldSignature.objects.get(code="AAAAABBBBB"),
        kind="to_renew",
        new_version=versions[1],
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
    )
    Reminder.objects.create(organisation=organisations[1], version=versions[1], day=timezone.localdate(), sent_by=user)

    migrate(leaves())

    for region in regions:
        mine = list(CharterVersion.objects.of_region(region.pk).order_by("number"))
        assert [v.number for v in mine] == [1, 2] and all(v.is_published for v in mine)
        assert mine[0].signed_text() == signed_text(1, reference.PREAMBLE_FR)
    assert CharterVersion.objects.count() == 4
    for region in regions:
        signature = Signature.objects.with_history().get(code=codes[region.pk])
        assert signature.version.region_id == region.pk == signature.organisation.region_id
        assert signature.signed_text == signature.version.signed_text()
        assert signature.digest == digest_of(signature.version.signed_text())
        page = client.get(reverse("charter:verify", args=[signature.code])).content.decode()
        assert f"région {region.name}" in page
    first = Signature.objects.with_history().get(code="AAAAABBBBB")
    assert first.status == Signature.Status.TO_RENEW
    assert first.renewal.new_version == CharterVersion.objects.get(region=regions[0].pk, number=2)
    assert SignatureEvent.objects.get().new_version.region_id == regions[0].pk
    assert CharterReminder.objects.get().version == CharterVersion.objects.get(region=regions[1].pk, number=2)
    # The database still refuses to change a published version or a signature.
    for change in (
        lambda: CharterVersion.objects.filter(region=regions[1].pk).update(preamble_fr="Autre"),
        lambda: Signature.objects.filter(code="CCCCCDDDDD").update(signatory_function="Autre"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()

    # And back: the copies fold into one set of versions again, the signatures onto them.
    try:
        old = migrate(before())
        Version, OldSignature = old.get_model("charter", "CharterVersion"), old.get_model("charter", "Signature")
        assert sorted(Version.objects.values_list("number", flat=True)) == [1, 2]
        assert {s.version.number for s in OldSignature.objects.select_related("version")} == {1, 2}
    finally:
        migrate(leaves())
