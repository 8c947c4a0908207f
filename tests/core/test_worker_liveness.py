"""`manage.py worker_liveness`: the healthcheck of the workers in docker-compose.yml. A real worker on a redis-server
of the test's own: alive, then the broker away (unhealthy, not counted), then the worker wedged (SIGSTOP): the check
stops it (SIGTERM), then kills it (SIGKILL), so that its container exits and its restart policy applies."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from bench._redis import RedisServer
from bench._redis import available as redis_server_available
from tests.conftest import require_service

pytestmark = [pytest.mark.worker]
BASE_DIR = Path(settings.BASE_DIR)


def test_the_check_ends_a_worker_that_stopped_answering_but_not_one_waiting_for_its_broker(tmp_path):
    require_service(redis_server_available(), "this test needs redis-server")
    redis_server = RedisServer(tmp_path / "redis", persist=True)
    redis_server.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": redis_server.url,
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
    }
    node = f"liveness-{uuid.uuid4().hex[:8]}@test"
    pidfile = tmp_path / "worker.pid"
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["-Q", node, "-n", node, f"--pidfile={pidfile}", "--without-mingle", "--without-gossip"]

    def check():
        return subprocess.run(
            [sys.executable, "manage.py", "worker_liveness", node, f"--pidfile={pidfile}", "--timeout=1"]
            + ["--restart-after=1"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 40
        while " ready." not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert check().returncode == 0

        redis_server.stop()
        away = check()
        assert away.returncode == 1 and "broker is unreachable" in away.stderr, away.stderr
        assert not Path(f"{pidfile}.failures").exists()
        redis_server.start()
        # Celery retries the broker with a growing interval (2, 4, 6… s): wait until the worker says it is connected
        # again before asking it. A check run while Redis answers but the worker has not reconnected yet counts as a
        # failure, and with --restart-after=1 it would stop the worker (this made the test fail on a loaded machine).
        deadline = time.monotonic() + 120
        while log.read_text().count("Connected to ") < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        back = check()
        assert back.returncode == 0, back.stderr + log.read_text()
        assert worker.poll() is None

        worker.send_signal(signal.SIGSTOP)  # alive, but answers nothing: wedged
        first = check()
        assert first.returncode == 1 and "SIGTERM sent" in first.stderr, first.stderr
        assert "SIGKILL" not in check().stderr
        last = check()
        assert "SIGKILL sent" in last.stderr, last.stderr
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        redis_server.stop()
