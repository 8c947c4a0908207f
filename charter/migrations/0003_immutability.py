"""What the database itself refuses: changing a signature or one of its events (append-only), changing a published
version, and changing or adding commitments of a published version. The application never tries; these triggers
make sure nothing else does either (a script, a console, a future bug).

Deletion is left to the foreign keys (a signed version, a signature with events or copies are PROTECTed) and to the
admin, which deletes nothing of the charter: on SQLite a row trigger would also fire on the test runner's flush.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER charter_signature_immutable BEFORE UPDATE ON charter_signature
       BEGIN SELECT RAISE(ABORT, 'charter: a signature never changes'); END""",
    """CREATE TRIGGER charter_signatureevent_append_only BEFORE UPDATE ON charter_signatureevent
       BEGIN SELECT RAISE(ABORT, 'charter: signature events are append-only'); END""",
    """CREATE TRIGGER charter_version_published_immutable BEFORE UPDATE ON charter_charterversion
       WHEN OLD.published_at IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'charter: a published version never changes'); END""",
    """CREATE TRIGGER charter_commitment_published_no_update BEFORE UPDATE ON charter_commitment
       WHEN (SELECT published_at FROM charter_charterversion WHERE id = OLD.version_id) IS NOT NULL
         OR (SELECT published_at FROM charter_charterversion WHERE id = NEW.version_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'charter: a published version never changes'); END""",
    """CREATE TRIGGER charter_commitment_published_no_insert BEFORE INSERT ON charter_commitment
       WHEN (SELECT published_at FROM charter_charterversion WHERE id = NEW.version_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'charter: a published version never changes'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS charter_signature_immutable",
    "DROP TRIGGER IF EXISTS charter_signatureevent_append_only",
    "DROP TRIGGER IF EXISTS charter_version_published_immutable",
    "DROP TRIGGER IF EXISTS charter_commitment_published_no_update",
    "DROP TRIGGER IF EXISTS charter_commitment_published_no_insert",
]

POSTGRESQL = [
    """CREATE FUNCTION charter_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION USING MESSAGE = 'charter: ' || TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER charter_signature_immutable BEFORE UPDATE ON charter_signature
       FOR EACH ROW EXECUTE FUNCTION charter_refuse_change('a signature never changes')""",
    """CREATE TRIGGER charter_signatureevent_append_only BEFORE UPDATE ON charter_signatureevent
       FOR EACH ROW EXECUTE FUNCTION charter_refuse_change('signature events are append-only')""",
    """CREATE TRIGGER charter_version_published_immutable BEFORE UPDATE ON charter_charterversion
       FOR EACH ROW WHEN (OLD.published_at IS NOT NULL)
       EXECUTE FUNCTION charter_refuse_change('a published version never changes')""",
    """CREATE FUNCTION charter_commitment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM charter_charterversion WHERE id = NEW.version_id AND published_at IS NOT NULL)
            OR (TG_OP = 'UPDATE' AND EXISTS (
                SELECT 1 FROM charter_charterversion WHERE id = OLD.version_id AND published_at IS NOT NULL))
         THEN
           RAISE EXCEPTION 'charter: a published version never changes'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER charter_commitment_published_immutable BEFORE INSERT OR UPDATE ON charter_commitment
       FOR EACH ROW EXECUTE FUNCTION charter_commitment_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS charter_commitment_published_immutable ON charter_commitment",
    "DROP FUNCTION IF EXISTS charter_commitment_guard()",
    "DROP TRIGGER IF EXISTS charter_version_published_immutable ON charter_charterversion",
    "DROP TRIGGER IF EXISTS charter_signatureevent_append_only ON charter_signatureevent",
    "DROP TRIGGER IF EXISTS charter_signature_immutable ON charter_signature",
    "DROP FUNCTION IF EXISTS charter_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No charter immutability triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("charter", "0002_first_version")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
