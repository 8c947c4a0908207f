"""`manage.py supervise`: `make run` starts its workers and beat through it, so one that dies comes back by itself."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

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
