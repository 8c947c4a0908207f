"""`python -m bench [NAME ...]`: run the benchmarks (all, or the named ones) on PostgreSQL and Redis.

The database is `<dbname>_bench`, derived from DATABASE_URL, created if missing and migrated: never the
development or the test database. Each metric prints one JSON line and is merged by name into
bench/results/latest.json. Exit code: 0 when every metric meets its target, 1 when one misses it (or a benchmark
fails), 2 when the benchmarks cannot run (no PostgreSQL or Redis, unknown name).
"""

import argparse
import importlib
import json
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "latest.json"
SETTINGS = "config.settings.bench"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss"}
USAGE_EXAMPLE = (
    "DATABASE_URL=postgres://user:password@127.0.0.1:5432/sans_rupture "
    "REDIS_URL=redis://127.0.0.1:6379/0 make bench [ONLY=name]"
)


class CannotRun(Exception):
    """The benchmarks cannot run here (exit code 2)."""


def available() -> list[str]:
    """The benchmark modules of this package: every bench/<name>.py whose name does not start with "_"."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules([str(BENCH_DIR)])
        if not module.ispkg and not module.name.startswith("_")
    )


def bench_database_url(database_url: str) -> tuple[str, str]:
    """(URL of the bench database, its name): the same server and credentials, database `<dbname>_bench`."""
    parts = urlsplit(database_url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise CannotRun(f"DATABASE_URL must point to PostgreSQL (postgres://…), not {parts.scheme or 'nothing'}://.")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise CannotRun("DATABASE_URL names no database (postgres://user:password@host:port/DBNAME).")
    bench_name = name if name.endswith("_bench") else f"{name}_bench"
    return urlunsplit(parts._replace(path="/" + quote(bench_name))), bench_name


def libpq_url(url: str) -> str:
    """libpq reads postgres:// and postgresql:// addresses only."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql")) if parts.scheme == "pgsql" else url


def ensure_database(database_url: str, bench_name: str) -> bool:
    """Create the bench database if it is missing, from the `postgres` maintenance database (or, if that one is out
    of reach, the original database). True if it was created."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    original = libpq_url(database_url)
    last_error = None
    for maintenance in ("postgres", None):
        conninfo = make_conninfo(original, dbname=maintenance) if maintenance else original
        try:
            connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            last_error = error
            continue
        with connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone():
                return False
            try:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench_name)))
            except psycopg.errors.DuplicateDatabase:  # another run created it meanwhile
                return False
            except psycopg.Error as error:
                raise CannotRun(f"Cannot create the bench database {bench_name!r}: {error}".strip()) from error
            return True
    raise CannotRun(f"Cannot reach PostgreSQL from DATABASE_URL: {last_error}".strip())


def check_redis(redis_url: str) -> None:
    if urlsplit(redis_url).scheme not in REDIS_SCHEMES:
        raise CannotRun("REDIS_URL must point to Redis (redis://…).")
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        raise CannotRun(f"Cannot reach Redis at REDIS_URL: {error}") from error


def read_results() -> dict:
    if not RESULTS.exists():
        return {}
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CannotRun(f"{RESULTS} is not readable JSON ({error}): fix or remove it.") from error
    if not isinstance(results, dict):
        raise CannotRun(f"{RESULTS} should hold a JSON object (metric name → result): fix or remove it.")
    return results


def write_results(results: dict) -> None:
    """Write the file whole or not at all (a temporary file in the same folder, then renamed over it)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=RESULTS.parent, prefix=".latest-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode of a new file
        os.replace(temporary, RESULTS)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def purge_task_queue() -> None:
    """Drop the tasks the benchmarks enqueued: on the bench's own queues that no worker reads (default, documents),
    and on the queue of the worker the alert benchmarks start (see config/settings/bench.py)."""
    from django.conf import settings

    from config.celery import app

    with app.connection_for_write() as connection:
        queues = (settings.CELERY_TASK_DEFAULT_QUEUE, settings.BENCH_WORKER_QUEUE, settings.CELERY_DOCUMENTS_QUEUE)
        for queue in (*queues, settings.BENCH_ROLLUPS_QUEUE):
            connection.default_channel.queue_purge(queue)


def prepare(names: list[str]) -> list[str]:
    """Check the services and the names, create the bench database, set Django up on it and migrate it."""
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not database_url or not redis_url:
        missing = " and ".join(
            name for name, value in [("DATABASE_URL", database_url), ("REDIS_URL", redis_url)] if not value
        )
        raise CannotRun(
            f"Benchmarks run against PostgreSQL and Redis: set {missing}.\n  e.g. {USAGE_EXAMPLE}\n"
            "They use a database of their own, <dbname>_bench, never the development or the test database."
        )
    bench_url, bench_name = bench_database_url(database_url)
    known = available()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CannotRun(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(known) or 'none'}.")
    read_results()  # an unreadable results file stops us before the work, not after
    check_redis(redis_url)
    created = ensure_database(database_url, bench_name)
    print(f"bench: database {bench_name} ({'created' if created else 'existing'})", file=sys.stderr)

    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return names or known


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {available()})")
    args = parser.parse_args(argv)
    try:
        selected = prepare(args.names)
    except CannotRun as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2

    metrics, failed = [], []
    try:
        purge_task_queue()
        for name in selected:
            started = time.perf_counter()
            try:
                module = importlib.import_module(f"bench.{name}")
                produced = list(module.run())
            except Exception:
                traceback.print_exc()
                print(f"bench: {name} failed (no metric recorded)", file=sys.stderr)
                failed.append(name)
                continue
            for metric in produced:
                print(json.dumps(metric.as_dict(), ensure_ascii=False), flush=True)
            metrics.extend(produced)
            print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        purge_task_queue()

    if metrics:
        results = read_results()
        for metric in metrics:
            results[metric.name] = metric.as_dict()
        write_results(results)
        print(f"bench: results merged into {RESULTS.relative_to(BENCH_DIR.parent)}", file=sys.stderr)
    missed = [metric.name for metric in metrics if not metric.ok]
    if missed:
        print(f"bench: target missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
