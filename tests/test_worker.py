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


def start_worker(env, queue, *extra):
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
        *extra,
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


def embedded_sender(tmp_path):
    """The web process's side of the embedded broker: the same settings as config.settings.base builds without
    REDIS_URL."""
    folder = tmp_path / "celery"
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
    return sender


def embedded_env(tmp_path):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
    }


def test_the_embedded_worker_executes_a_task_through_the_filesystem_broker(tmp_path):
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    worker = start_worker(embedded_env(tmp_path), queue)
    sender = embedded_sender(tmp_path)
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


def test_the_worker_log_of_a_failing_task_holds_no_personal_data(tmp_path):
    """The worker's own log handlers (Celery sets them up, config/celery.py adds the filter): a task that logs a
    URL with a name in its query string, then fails with an error repeating a person's row (as PostgreSQL's do),
    leaves in the worker's output its failure and traceback, without the name, first name or e-mail."""
    from tests.core.worker_tasks import PERSON

    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    worker = start_worker(embedded_env(tmp_path), queue, "-I", "tests.core.worker_tasks")
    sender = embedded_sender(tmp_path)
    try:
        result = sender.send_task("tests.fail_naming_a_person", queue=queue)
        with pytest.raises(Exception, match="Failing row contains"):
            result.get(timeout=60)
    finally:
        output = stop(worker)
    assert "tests.fail_naming_a_person" in output and "raised unexpected" in output, output
    assert "Searched /personnes/" in output and "Failing row contains ([…])" in output, output
    assert "Traceback" in output, output
    for marker in (*PERSON, "Lef%C3%A8vre", "ines.lefevre"):
        assert marker not in output, output
