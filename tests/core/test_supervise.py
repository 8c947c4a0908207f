"""`manage.py supervise`: `make run` starts its workers and beat through it, so one that dies comes back by itself."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from celery import Celery
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def read_until(process, pattern, timeout=30):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"No line matching {pattern!r} in {seen!r}")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped) counts as gone.
    return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def test_a_killed_worker_is_started_again_and_a_stop_stops_both():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "supervise", "worker", "--", *SLEEPER],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = int(read_until(supervisor, r"worker started \(pid (\d+)\)").group(1))
        os.kill(first, signal.SIGKILL)
        read_until(supervisor, r"worker exited \(code -9\).*restarting it in 1 s")
        second = int(read_until(supervisor, r"worker started \(pid (\d+)\)").group(1))
        assert second != first and alive(second)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while alive(second) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(second)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        supervisor.stdout.close()


def children_of(pid):
    return {
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    }


def test_a_real_worker_killed_with_sigkill_comes_back_and_takes_work_again(tmp_path):
    """`make run`'s worker line (Procfile.dev) on the embedded broker: the worker's main process is killed, its pool
    processes go with it, the supervisor starts another worker, and a task sent afterwards gets its answer."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    queue = f"supervised-{os.getpid()}"
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=2"]
    worker += ["--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"]
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "supervise", "worker", "--", *worker],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    folder = tmp_path / "celery"
    sender = Celery(
        "sender",
        broker="filesystem://localhost//",
        backend=f"file://{folder / 'results'}",
        broker_transport="core.broker.filesystem:Transport",
        broker_transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )
    try:
        first = int(read_until(supervisor, r"worker started \(pid (\d+)\)").group(1))
        read_until(supervisor, r" ready\.", timeout=60)
        pool = children_of(first)
        assert len(pool) == 2, pool

        os.kill(first, signal.SIGKILL)
        read_until(supervisor, r"worker exited \(code -9\).*restarting it in 1 s")
        second = int(read_until(supervisor, r"worker started \(pid (\d+)\)").group(1))
        read_until(supervisor, r" ready\.", timeout=60)
        assert second != first and alive(second)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pool) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pool), "the killed worker's pool processes outlived it"

        assert sender.send_task("sans_rupture.ping", queue=queue).get(timeout=30) == "pong"
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()
        supervisor.stdout.close()
