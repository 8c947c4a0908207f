"""Tasks for the worker tests only: a worker loads them with `celery -A config worker -I tests.core.worker_tasks`."""

import time
from pathlib import Path

from config.celery import app


@app.task(name="tests.hold", ignore_result=True)
def hold(started: str, seconds: float):
    """Say it started (a file), then keep the worker's pool process busy: an acknowledgement stays pending."""
    Path(started).touch()
    time.sleep(seconds)
