"""A real Celery worker process executes a task end to end: the embedded broker that needs no server (kombu's
filesystem transport, used by `make run`), and the configured broker (Redis when REDIS_URL is set, as in CI)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from tests.conftest import require_service

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.worker


def start_worker(env, queue):
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        queue,
        "-n",
        f"smoke-{queue}@%h",
    ]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process):
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_the_embedded_worker_executes_a_task_through_the_filesystem_broker(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    worker = start_worker(env, queue)
    folder = tmp_path / "celery"
    # The web process's side: the same settings as config.settings.base builds without REDIS_URL.
    sender = Celery(
        "sender",
        broker="filesystem://localhost//",
        backend=f"file://{folder / 'results'}",
        broker_transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        },
    )
    for name in ("queue", "control", "results"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    try:
        result = sender.send_task("sans_rupture.ping", queue=queue)
        assert result.get(timeout=60) == "pong"
    finally:
        output = stop(worker)
    assert "sans_rupture.ping" in output and "succeeded" in output, output


def test_the_configured_broker_runs_a_task_on_a_real_worker():
    require_service(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis broker to test")
    from config.celery import ping

    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    worker = start_worker({**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}, queue)
    try:
        assert ping.apply_async(queue=queue).get(timeout=60) == "pong"
    finally:
        output = stop(worker)
    assert "redis://" in output, output
