"""The access log is append-only (docs/design.md §6, issue 20): the database refuses any UPDATE and any DELETE of a row of
`accounts_accesslog`, whoever asks (the ORM, a script, a console, a future bug).

One sanctioned exception, the retention job's `accounts.access_log.purge(before=…)`, which deletes the rows older
than the retention period:
- on PostgreSQL, the DELETE trigger lets a row go when the transaction set `SET LOCAL sans_rupture.access_log_purge =
  'on'` (a transaction-local setting: it ends with the purge's transaction);
- on SQLite (no settings), when the one-row table `accounts_accesslog_purge` holds a row, which the purge inserts and
  removes inside its own transaction. That table is no Django model, so nothing else writes it.

A TRUNCATE (the PostgreSQL test runner's flush) fires no row trigger. On SQLite the test runner's flush deletes row by
row: the tests purge the log first (`tests/conftest.py`, `pytest_runtest_teardown`).

The rows written before this migration get their region first (from their person, or from the acting organisation).
"""

from django.db import migrations

SQLITE = [
    "CREATE TABLE accounts_accesslog_purge (id integer NOT NULL PRIMARY KEY CHECK (id = 1))",
    """CREATE TRIGGER accounts_accesslog_no_update BEFORE UPDATE ON accounts_accesslog
       BEGIN SELECT RAISE(ABORT, 'access log: append-only, a row never changes'); END""",
    """CREATE TRIGGER accounts_accesslog_no_delete BEFORE DELETE ON accounts_accesslog
       WHEN NOT EXISTS (SELECT 1 FROM accounts_accesslog_purge)
       BEGIN SELECT RAISE(ABORT, 'access log: append-only, rows go only with the retention purge'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS accounts_accesslog_no_delete",
    "DROP TRIGGER IF EXISTS accounts_accesslog_no_update",
    "DROP TABLE IF EXISTS accounts_accesslog_purge",
]

POSTGRESQL = [
    """CREATE FUNCTION accounts_accesslog_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND current_setting('sans_rupture.access_log_purge', true) = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION USING
           MESSAGE = 'access log: append-only, ' || lower(TG_OP) || ' refused (only the retention purge deletes)',
           ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER accounts_accesslog_append_only BEFORE UPDATE OR DELETE ON accounts_accesslog
       FOR EACH ROW EXECUTE FUNCTION accounts_accesslog_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS accounts_accesslog_append_only ON accounts_accesslog",
    "DROP FUNCTION IF EXISTS accounts_accesslog_guard()",
]

BACKFILL = """
    UPDATE accounts_accesslog SET region_id = COALESCE(
        (SELECT region_id FROM pathways_beneficiary WHERE pathways_beneficiary.id = accounts_accesslog.beneficiary_id),
        (SELECT region_id FROM pathways_organisation
         WHERE pathways_organisation.id = accounts_accesslog.acting_organisation_id)
    )
    WHERE region_id IS NULL
"""


def _run(statements_by_vendor, backfill=False):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No access log triggers for {schema_editor.connection.vendor}")
        if backfill:
            schema_editor.execute(BACKFILL)
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_accesslog_region_person_kept")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}, backfill=True),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        )
    ]
