"""`manage.py worker_liveness NODE --pidfile FILE`: the liveness check of a Celery worker (docker-compose healthcheck).

A worker is alive when it answers its own ping (`celery inspect ping`): its main process runs, its event loop turns
and it reads the broker. Docker marks a container unhealthy after failed checks but does not restart it (only an
exit does, with `restart: unless-stopped`), so this check ends a worker that stopped answering:

- the worker answers: healthy (exit 0), and the count of failures starts again;
- the broker does not answer either: unhealthy (exit 1), but not counted: a worker waiting for its broker
  reconnects by itself (core/broker/redis.py), and a restart would not bring Redis back;
- the broker answers and the worker does not, `--restart-after` checks in a row: SIGTERM to the worker (a warm
  shutdown: the tasks in hand finish), then SIGKILL two checks later if it is still there. The worker's exit ends
  the container (compose's `init: true` makes it PID 1's only child), and the restart policy starts another.

The worker writes its pid to FILE (`celery worker --pidfile FILE`); the count of failures is kept beside it.
"""

import os
import signal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.celery import app

KILL_AFTER_MORE = 2  # checks between the SIGTERM and the SIGKILL


class Command(BaseCommand):
    help = "Vérifie qu'un worker Celery répond et l'arrête s'il ne répond plus alors que le broker répond."

    def add_arguments(self, parser):
        parser.add_argument("node", help="Le nom du worker (celery@hôte, documents@hôte…).")
        parser.add_argument("--pidfile", required=True, help="Le fichier où le worker écrit son pid (--pidfile).")
        parser.add_argument("--timeout", type=float, default=10.0, help="Attente de la réponse du worker (s).")
        parser.add_argument(
            "--restart-after", type=int, default=3, help="Échecs de suite, broker joignable, avant l'arrêt du worker."
        )

    def handle(self, *args, node, pidfile, timeout, restart_after, **options):
        failures_file = Path(f"{pidfile}.failures")
        if not self.broker_answers():
            raise CommandError(f"{node}: the broker is unreachable; the worker reconnects by itself (not counted)")
        try:
            answered = app.control.ping(destination=[node], timeout=timeout)
        except Exception:  # noqa: BLE001 (the broker went away meanwhile: no answer, as above)
            answered = []
        if answered:
            failures_file.unlink(missing_ok=True)
            self.stdout.write(f"{node}: alive")
            return
        failures = self.count(failures_file) + 1
        failures_file.write_text(str(failures))
        if failures >= restart_after:
            stop = signal.SIGKILL if failures >= restart_after + KILL_AFTER_MORE else signal.SIGTERM
            pid = self.worker_pid(Path(pidfile))
            if pid is not None:
                try:
                    os.kill(pid, stop)
                except ProcessLookupError:
                    pid = None
            if pid is not None:
                raise CommandError(f"{node}: no answer {failures} times in a row, broker up: {stop.name} sent to {pid}")
        raise CommandError(f"{node}: no answer ({failures} time(s) in a row), the broker answers")

    @staticmethod
    def broker_answers() -> bool:
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=5)
        except Exception:  # noqa: BLE001 (any failure to connect means the same here)
            return False
        return True

    @staticmethod
    def count(path: Path) -> int:
        try:
            return int(path.read_text())
        except (OSError, ValueError):
            return 0

    @staticmethod
    def worker_pid(path: Path) -> int | None:
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError):
            return None
