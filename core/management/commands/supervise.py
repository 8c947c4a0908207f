"""`manage.py supervise NAME -- COMMAND…`: run a command and start it again whenever it exits.

`make run` starts its Celery workers and beat through this (Procfile.dev), so that a worker that dies (a broker
outage, a crash) comes back by itself, saying so, instead of leaving the app without one while the web server goes
on. In production, the service manager does this job (docker-compose's restart policy, systemd's `Restart=`;
docs/deployment.md).

SIGTERM or SIGINT (honcho's Ctrl-C) goes to the command, and the supervisor then exits with it. A command that
exits again soon after starting is restarted after a growing delay (1 s, doubling, up to `--max-delay`).

The command runs in a process group of its own, and whatever is left of that group when the command has exited is
killed: a Celery worker killed with SIGKILL cannot take its pool processes with it, and one of them may otherwise
live on, orphaned, beside the worker started in its place.
"""

import argparse
import os
import signal
import subprocess
import threading
import time

from django.core.management.base import BaseCommand, CommandError

STEADY_SECONDS = 60  # a run this long resets the delay


class Command(BaseCommand):
    help = "Lance une commande et la relance chaque fois qu'elle s'arrête (workers et beat de `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Le nom du processus dans les messages (worker, beat…).")
        parser.add_argument("--max-delay", type=float, default=30.0, help="Délai maximal avant une relance (s).")
        parser.add_argument("command", nargs=argparse.REMAINDER, help="-- puis la commande à lancer.")

    def handle(self, *args, name, command, max_delay, **options):
        if command[:1] == ["--"]:
            command = command[1:]
        if not command:
            raise CommandError("Aucune commande à superviser : supervise NOM -- COMMANDE… / no command to supervise.")
        stopping = threading.Event()
        child = None

        def stop(signum, frame):
            stopping.set()
            if child is not None and child.poll() is None:
                child.send_signal(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        delay = 1.0
        while True:
            started = time.monotonic()
            child = subprocess.Popen(command, process_group=0)
            if stopping.is_set():  # a stop arrived while it was being started
                child.terminate()
            self.stdout.write(f"supervise: {name} started (pid {child.pid})", ending="\n")
            self.stdout.flush()
            code = child.wait()
            _end_group(child.pid)
            if stopping.is_set():
                return
            ran = time.monotonic() - started
            delay = 1.0 if ran >= STEADY_SECONDS else delay
            self.stderr.write(
                f"supervise: {name} exited (code {code}) after {ran:.0f} s; restarting it in {delay:.0f} s"
            )
            self.stderr.flush()
            if stopping.wait(delay):
                return
            delay = min(delay * 2, max_delay)


def _end_group(pgid: int) -> None:
    """Kill what is left of an exited command's process group (its orphaned children), if anything."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
