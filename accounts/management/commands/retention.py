"""`manage.py retention [--dry-run]`: the retention job (accounts.retention) by hand; with `--dry-run`, what it
would do today (counts per category and ids, never a name) without writing anything."""

from django.core.management.base import BaseCommand

from accounts import retention
from accounts.personal_data import source


class Command(BaseCommand):
    help = "Anonymise the personal data whose retention has expired (--dry-run: only list it)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be done, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if not dry_run:
            report = retention.run()
            self.stdout.write(
                f"notices: {report.notices}\npeople anonymised: {report.people}\n"
                + "".join(f"{model}: {count}\n" for model, count in sorted(report.rows.items()))
                + f"access log rows purged: {report.access_log_rows}"
            )
            return
        plan = retention.plan()
        self.stdout.write("dry run: nothing changed")
        self.stdout.write(f"notices to send: {len(plan.notices)} {_ids(plan.notices)}")
        self.stdout.write(f"pathway: people to anonymise: {len(plan.people)} {_ids(plan.people)}")
        for model, ids in sorted(plan.rows.items()):
            self.stdout.write(f"{source(model).category}: {model}: {len(ids)} {_ids(ids)}")
        self.stdout.write(f"access_log: rows to purge: {plan.access_log_rows}")


def _ids(ids) -> str:
    return "[" + ", ".join(str(pk) for pk in ids) + "]"
