"""A worker survives a Redis outage with a task in flight (`core.broker.redis`).

kombu 5.7.0's own transport makes the worker stop for good ("Unrecoverable error: AttributeError: 'NoneType' object
has no attribute 'hostname'") when Redis goes away while an acknowledgement is pending and a BRPOP waits for more
work: a pool process busy, another free (core/broker/redis.py explains the sequence). A real worker, prefork with two
processes as in production, on a redis-server of the test's own that the test stops and starts again.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from bench._redis import RedisServer
from bench._redis import available as redis_server_available
from tests.conftest import require_service

pytestmark = [pytest.mark.worker]

BASE_DIR = Path(settings.BASE_DIR)
DEADLINE = 40  # seconds for the worker to start, to notice the outage, to answer again


def wait_until(condition, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Still waiting after {timeout} s: {what}")
        time.sleep(0.1)


@pytest.fixture
def redis_server(tmp_path):
    require_service(redis_server_available(), "this test needs redis-server")
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "settings_module",
    [
        "config.settings.test",
        pytest.param(
            "tests.core.kombu_redis_settings",
            marks=pytest.mark.xfail(
                strict=True,
                reason="kombu 5.7.0's own Redis transport: the worker dies (celery/kombu#970); when this passes, "
                "kombu has fixed it and core/broker/redis.py can go",
            ),
        ),
    ],
    ids=["core.broker.redis", "kombu-redis"],
)
def test_a_worker_with_a_task_in_flight_survives_a_redis_outage(tmp_path, redis_server, settings_module):
    queue = f"outage-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "REDIS_URL": redis_server.url,
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-I", "tests.core.worker_tasks"]
    command += ["--pool=prefork", "--concurrency=2", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h"]
    sender = Celery("sender", broker=redis_server.url, backend=redis_server.url)
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: " ready." in log.read_text() or worker.poll() is not None, "the worker to start")
        started = tmp_path / "started"
        sender.send_task("tests.hold", args=[str(started), 15], queue=queue)
        wait_until(started.exists, "the task to start")
        time.sleep(1)  # the other pool process is free: the worker waits for more work (a BRPOP in flight)

        redis_server.stop()
        wait_until(lambda: "Connection to broker lost" in log.read_text(), "the worker to notice the outage")
        time.sleep(2)
        redis_server.start()

        assert worker.poll() is None and "Unrecoverable error" not in log.read_text(), log.read_text()
        # Back on Redis, it takes work again.
        assert sender.send_task("sans_rupture.ping", queue=queue).get(timeout=DEADLINE) == "pong"
        assert worker.poll() is None, log.read_text()
    finally:
        sender.close()
        worker.send_signal(signal.SIGQUIT)  # a cold shutdown: no waiting for the task that holds a pool process
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
