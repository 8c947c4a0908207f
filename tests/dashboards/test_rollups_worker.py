"""A real Celery worker keeps the rollups fresh: a rupture declared through the service reaches the dashboard
figures once the worker has run the refresh it asked for (PostgreSQL and Redis: the worker shares the test
database, so the test commits for real)."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from dashboards import figures, rollups
from dashboards.figures import Scope
from ruptures.models import Rupture
from tests.conftest import require_service
from tests.ruptures.test_rates import END, START, declare, entrant

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )


@pytest.fixture
def worker(tmp_path):
    require_service(connection.vendor == "postgresql", "the worker test needs PostgreSQL (DATABASE_URL)")
    require_service(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis broker to test")
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "SANS_RUPTURE_VAR_DIR": str(tmp_path),
        "ROLLUPS_SWEEP_SECONDS": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", "rollups@%h"]
    command += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]  # the sweep refreshes the queue
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        yield log
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_rupture_declared_reaches_the_figures_through_a_real_worker(place, worker):
    stage = entrant(place)
    rollups.rebuild()
    assert figures.rate(Scope(), START, END).ruptures == 0

    declare(stage, Rupture.Kind.ABANDON, by=place.user, on=datetime.date(2025, 4, 7))  # commits its queue row

    deadline = time.monotonic() + 60
    while figures.rate(Scope(), START, END).ruptures == 0:
        assert time.monotonic() < deadline, worker.read_text()
        time.sleep(0.2)
    assert figures.rate(Scope(), START, END).rate == 100.0
    assert "sweep_rollup_queue_task" in worker.read_text()
