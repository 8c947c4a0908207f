"""The charter belongs to a region: each version gets a region, and numbers run per region.

Until now one set of versions served every region. Each existing region gets its own copy of each existing
published version (same number, texts, commitments and dates: the signed text and its SHA-256 digest are the same,
so every copy and verification code still verifies), and every signature, "to renew" event and reminder points to
the copy of its organisation's region; a signature's status does not change. A draft goes to the region where its
author is a regional officer (to every region when that cannot be told). The first region (by id) keeps the original
rows. Without any region (a fresh installation), the region-less versions are removed: a region's version 1 is
published from the reference text when the region starts its charter (`charter.services.version_one_publish`).

The immutability triggers (migration 0003) refuse changes to published versions and signatures: they are dropped
for the move and recreated at the end (SQLite also loses a table's triggers when a column change rebuilds it).
"""

import importlib

from django.db import migrations, models
import django.db.models.deletion

immutability = importlib.import_module("charter.migrations.0003_immutability")
drop_triggers = immutability._run({"sqlite": immutability.SQLITE_DROP, "postgresql": immutability.POSTGRESQL_DROP})
create_triggers = immutability._run({"sqlite": immutability.SQLITE, "postgresql": immutability.POSTGRESQL})

VERSION_FIELDS = (
    "number",
    "title_fr",
    "title_en",
    "preamble_fr",
    "preamble_en",
    "renewal_grace_days",
    "created_by_id",
    "published_at",
    "published_by_id",
)
COMMITMENT_FIELDS = ("position", "code", "title_fr", "title_en", "text_fr", "text_en")


def _checks_now(schema_editor):
    # PostgreSQL: run the deferred foreign-key checks now, so the schema changes that follow in this transaction
    # do not meet "pending trigger events".
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _author_regions(apps, user_id, region_ids):
    Membership = apps.get_model("pathways", "Membership")
    if user_id is None:
        return []
    found = (
        Membership.objects.filter(
            user_id=user_id,
            is_active=True,
            role="regional_officer",
            organisation__kind="funder",
            organisation__region__in=region_ids,
        )
        .order_by("organisation__region_id")
        .values_list("organisation__region_id", flat=True)
    )
    return list(dict.fromkeys(found))[:1]


def distribute(apps, schema_editor):
    Region = apps.get_model("pathways", "Region")
    CharterVersion = apps.get_model("charter", "CharterVersion")
    Commitment = apps.get_model("charter", "Commitment")
    Signature = apps.get_model("charter", "Signature")
    SignatureEvent = apps.get_model("charter", "SignatureEvent")
    CharterReminder = apps.get_model("charter", "CharterReminder")

    region_ids = list(Region.objects.order_by("pk").values_list("pk", flat=True))
    versions = list(CharterVersion.objects.filter(region__isnull=True).order_by("number"))
    if not region_ids:
        Commitment.objects.filter(version__in=versions).delete()
        CharterVersion.objects.filter(pk__in=[v.pk for v in versions]).delete()
        _checks_now(schema_editor)
        return
    copy_of = {}  # (original version id, region id) -> version of that region
    for version in versions:
        targets = region_ids
        if version.published_at is None:
            targets = _author_regions(apps, version.created_by_id, region_ids) or region_ids
        commitments = list(Commitment.objects.filter(version=version).order_by("position"))
        version.region_id = targets[0]
        version.save(update_fields=["region"])
        copy_of[(version.pk, targets[0])] = version
        for region_id in targets[1:]:
            copy = CharterVersion.objects.create(
                region_id=region_id, **{field: getattr(version, field) for field in VERSION_FIELDS}
            )
            CharterVersion.objects.filter(pk=copy.pk).update(created_at=version.created_at)
            Commitment.objects.bulk_create(
                Commitment(version=copy, **{field: getattr(c, field) for field in COMMITMENT_FIELDS})
                for c in commitments
            )
            copy_of[(version.pk, region_id)] = copy
    for signature in Signature.objects.select_related("organisation"):
        region_id = signature.organisation.region_id
        if (signature.version_id, region_id) in copy_of:
            target = copy_of[(signature.version_id, region_id)]
            if target.pk != signature.version_id:
                Signature.objects.filter(pk=signature.pk).update(version=target)
    for event in SignatureEvent.objects.filter(new_version__isnull=False).select_related("signature__organisation"):
        key = (event.new_version_id, event.signature.organisation.region_id)
        if key in copy_of and copy_of[key].pk != event.new_version_id:
            SignatureEvent.objects.filter(pk=event.pk).update(new_version=copy_of[key])
    for reminder in CharterReminder.objects.select_related("organisation"):
        key = (reminder.version_id, reminder.organisation.region_id)
        if key in copy_of and copy_of[key].pk != reminder.version_id:
            CharterReminder.objects.filter(pk=reminder.pk).update(version=copy_of[key])
    _checks_now(schema_editor)


def merge(apps, schema_editor):
    """Back to one set of versions: the copies of each number fold into the oldest row of that number."""
    CharterVersion = apps.get_model("charter", "CharterVersion")
    Commitment = apps.get_model("charter", "Commitment")
    Signature = apps.get_model("charter", "Signature")
    SignatureEvent = apps.get_model("charter", "SignatureEvent")
    CharterReminder = apps.get_model("charter", "CharterReminder")

    kept = {}
    for version in CharterVersion.objects.order_by("number", "pk"):
        if version.number not in kept:
            kept[version.number] = version
            continue
        target = kept[version.number]
        Signature.objects.filter(version=version).update(version=target)
        SignatureEvent.objects.filter(new_version=version).update(new_version=target)
        CharterReminder.objects.filter(version=version).update(version=target)
        Commitment.objects.filter(version=version).delete()
        version.delete()
    CharterVersion.objects.update(region=None)
    _checks_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("charter", "0004_documents_share_core_base"),
        ("pathways", "0006_region_scheme_organisation_trainingaction_funder"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="charterversion",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="charter_versions",
                to="pathways.region",
                verbose_name="région",
            ),
        ),
        migrations.AlterField(
            model_name="charterversion",
            name="number",
            field=models.PositiveSmallIntegerField(
                help_text="Numérotée à partir de 1 dans chaque région.", verbose_name="numéro"
            ),
        ),
        migrations.RunPython(distribute, merge),
        migrations.AlterField(
            model_name="charterversion",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="charter_versions",
                to="pathways.region",
                verbose_name="région",
            ),
        ),
        migrations.AlterModelOptions(
            name="charterversion",
            options={
                "ordering": ["region", "-number"],
                "verbose_name": "version de la charte",
                "verbose_name_plural": "versions de la charte",
            },
        ),
        migrations.AddConstraint(
            model_name="charterversion",
            constraint=models.UniqueConstraint(
                fields=("region", "number"), name="charterversion_one_number_per_region"
            ),
        ),
        migrations.AlterField(
            model_name="signatureevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("validated", "Validée"),
                    ("refused", "Refusée"),
                    ("withdrawn", "Retirée par la structure"),
                    ("to_renew", "À renouveler (nouvelle version publiée)"),
                ],
                max_length=20,
                verbose_name="événement",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
