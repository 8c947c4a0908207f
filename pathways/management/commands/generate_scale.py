"""`manage.py generate_scale --beneficiaries 100000`: a fictional region of N people on PostgreSQL, to measure the
staff pages at scale (see `pathways.management.scale` for what it holds, `bench/README.md` for the figures).

- PostgreSQL only: the rows are written by COPY and computed by PostgreSQL; on SQLite the command stops (CommandError).
- One region per code (`--region`, default "99"), whose name records the size and the seed. If the region exists,
  the command stops, unless `--replace` (the region and everything in it are deleted first, in the same
  transaction as the new data) or `--if-missing` (nothing is done when the region already holds this very size and
  seed: what a benchmark calls to ensure the data without regenerating it).
- Deterministic: the same `--seed`, size and day give the same rows (the dates count from today).
- All or nothing: one transaction, the dashboards' rollups of the region included.

Every generated account has the password `SansRupture2026!`; a few logins are printed at the end.
"""

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.tasks import enqueues_held
from dashboards.rollups import rebuild
from pathways.management.commands.seed_demo import settle_held
from pathways.management.scale import PASSWORD, Generator, dropped_foreign_keys, region_name
from pathways.models import Membership, Organisation, Region

Role = Membership.Role
FACT_TABLES = ("dashboards_stagefact", "dashboards_alertfact", "dashboards_monthlyrollup", "dashboards_dailyrollup")


def region_state(code: str, seed: int, people: int) -> str:
    """'missing', 'same' (this size and seed are there) or 'other' (the region holds other data)."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        return "missing"
    return "same" if region.name == region_name(seed, people) else "other"


def ensure_scale_data(*, people: int, seed: int = 1, region: str = "99", stdout=None) -> bool:
    """Generate the region unless it is already there with this size and seed. True if it was generated."""
    from django.core.management import call_command

    if region_state(region, seed, people) == "same":
        return False
    call_command(
        "generate_scale", beneficiaries=people, seed=seed, region=region, replace=True, stdout=stdout, verbosity=0
    )
    return True


def purge_region(region: Region) -> Counter:
    """Delete the region and every row that depends on it, in the caller's transaction.

    The foreign keys Django creates are deferred to the commit, so rows are deleted table by table in any order:
    starting from the region, its generated accounts, and walking the catalogue's foreign keys down to every row
    that points to a deleted one (`DELETE … WHERE fk IN (SELECT id FROM parent WHERE …)`, recursively).
    """
    counts = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"
        )
        children = {}
        for child, column, parent in cursor.fetchall():
            children.setdefault(parent, []).append((child, column))
        # Triggers that refuse updates of published charter rows would also refuse the SET NULL of nothing: no
        # update happens here, only deletes.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        def purge(table: str, where: str, params: list, path: tuple):
            selection = f"SELECT id FROM {table} WHERE {where}"
            for child, column in children.get(table, []):
                if child in path or child == table:
                    continue
                purge(child, f"{column} IN ({selection})", params, (*path, table))
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
            counts[table] += cursor.rowcount

        users = (
            "id IN (SELECT user_id FROM pathways_membership m JOIN pathways_organisation o ON o.id = m.organisation_id "
            "WHERE o.region_id = %s) AND NOT EXISTS (SELECT 1 FROM pathways_membership m JOIN pathways_organisation o "
            "ON o.id = m.organisation_id WHERE m.user_id = accounts_user.id AND o.region_id <> %s)"
        )
        cursor.execute(f"SELECT array_agg(id) FROM accounts_user WHERE {users}", [region.pk, region.pk])
        user_ids = cursor.fetchone()[0] or []
        cursor.execute("UPDATE pathways_region SET scheme_organisation_id = NULL WHERE id = %s", [region.pk])
        purge("pathways_region", "id = %s", [region.pk], ())
        if user_ids:
            purge("accounts_user", "id = ANY(%s)", [user_ids], ())
    return counts


class Command(BaseCommand):
    help = (
        "Generate a fictional region of N people on PostgreSQL (organisations and staff, training offer, sessions "
        "and calendars, pathways, about 100 attendance marks per person in training, ruptures and their alerts, "
        "checklists, charter signatures), deterministic from --seed, to measure the staff pages at scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--beneficiaries", type=int, default=100_000, help="People of the region (100,000).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random draws (1).")
        parser.add_argument("--region", default="99", help="INSEE-like code of the generated region (99).")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--replace", action="store_true", help="Delete the region and its data first if it exists.")
        group.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing if the region already holds this size and seed (otherwise as --replace).",
        )

    def handle(self, *args, beneficiaries, seed, region, replace, if_missing, verbosity=1, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale writes by COPY and lets PostgreSQL compute the marks: it runs on PostgreSQL only "
                f"(this database is {connection.vendor}). Set DATABASE_URL=postgres://…"
            )
        if beneficiaries < 50:
            raise CommandError("--beneficiaries: 50 at least.")
        if len(region) != 2 or not region.isalnum():
            raise CommandError("--region: a code of two letters or digits (e.g. 99).")
        state = region_state(region, seed, beneficiaries)
        if state == "same" and if_missing:
            self.stdout.write(
                f"Région {region} déjà générée ({beneficiaries} personnes, graine {seed}) : rien à faire."
            )
            return
        if state != "missing" and not (replace or if_missing):
            raise CommandError(
                f"The region {region} exists already ({Region.objects.get(code=region).name}). Use --replace to "
                "delete it and generate it again, --if-missing to keep it when it has this size and seed, or "
                "another --region."
            )
        started = time.monotonic()
        quiet = verbosity == 0
        with enqueues_held() as held, transaction.atomic():
            if state != "missing":
                deleted = purge_region(Region.objects.get(code=region))
                if not quiet:
                    self.stdout.write(f"  ancienne région supprimée : {sum(deleted.values())} lignes")
            generator = Generator(
                people=beneficiaries,
                seed=seed,
                region_code=region,
                today=timezone.localdate(),
                stdout=None if quiet else self.stdout,
            )
            generator.run()
            # The dashboards' rollups of the new region (its rows were written by COPY: no event queued them), in
            # the same transaction, the facts' foreign keys dropped meanwhile (each checked once when added back,
            # rather than once per fact row).
            rollups_started = time.monotonic()
            keys = dropped_foreign_keys(generator.writer.cursor, FACT_TABLES)
            keys.drop()
            rebuild(generator.region)
            keys.restore()
            self.rollup_seconds = time.monotonic() - rollups_started
        settle_held(held)
        self.seconds = time.monotonic() - started
        if not quiet:
            self.summary(generator)

    def summary(self, generator):
        counts = generator.writer.counts
        self.stdout.write(
            f"Région {generator.region.code} « {generator.region.name} » générée en {self.seconds:.1f} s :"
        )
        for table in sorted(counts):
            self.stdout.write(f"  {table}: {counts[table]:,}".replace(",", " "))
        self.stdout.write(f"Tableaux de bord (rollups) reconstruits en {self.rollup_seconds:.1f} s")
        self.stdout.write(f"Mot de passe de tous les comptes générés : {PASSWORD}")
        for label, email in logins(generator.region):
            self.stdout.write(f"  {label.ljust(34)}{email}")


def logins(region) -> list[tuple[str, str]]:
    """A login of each staff role in the largest organisations (those of the staff-page benchmarks)."""
    from django.db.models import Count

    memberships = Membership.objects.active().filter(organisation__region=region).select_related("user")
    body = (
        Organisation.objects.filter(region=region, kind=Organisation.Kind.TRAINING_BODY)
        .annotate(n=Count("stages"))
        .order_by("-n", "pk")
        .first()
    )
    prescriber = (
        Organisation.objects.filter(region=region, kind=Organisation.Kind.PRESCRIBER)
        .annotate(n=Count("prescribed_pathways"))
        .order_by("-n", "pk")
        .first()
    )
    picks = [
        ("Formateur·rice (plus gros OF)", body, Role.TRAINER),
        ("Responsable pédagogique", body, Role.PEDAGOGICAL_MANAGER),
        ("Responsable de structure (OF)", body, Role.ORG_MANAGER),
        ("Conseiller·ère (plus gros prescripteur)", prescriber, Role.PRESCRIBER_ADVISER),
        ("Responsable de structure (prescr.)", prescriber, Role.ORG_MANAGER),
        ("Chargé·e de mission Région", region.scheme_organisation, Role.REGIONAL_OFFICER),
    ]
    rows = []
    for label, organisation, role in picks:
        membership = memberships.filter(organisation=organisation, role=role).order_by("user__email").first()
        if membership is not None:
            rows.append((label, membership.user.email))
    return rows
