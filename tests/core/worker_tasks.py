"""Tasks for the worker tests only: a worker loads them with `celery -A config worker -I tests.core.worker_tasks`."""

import logging
import time
from pathlib import Path
from urllib.parse import urlencode

from config.celery import app


@app.task(name="tests.hold", ignore_result=True)
def hold(started: str, seconds: float):
    """Say it started (a file), then keep the worker's pool process busy: an acknowledgement stays pending."""
    Path(started).touch()
    time.sleep(seconds)


# A person's details, built at run time so that no source line quoted in a traceback holds them.
PERSON = ("In" + "ès", "Lef" + "èvre", "ines.lefevre" + "@example.org")


@app.task(name="tests.fail_naming_a_person")
def fail_naming_a_person():
    """Log a URL with a name in its query string, then fail as a database error does: repeating a person's row."""
    first_name, last_name, email = PERSON
    logging.getLogger(__name__).warning("Searched /personnes/?%s", urlencode({"q": last_name}))
    raise ValueError(f"not-null violation\nDETAIL:  Failing row contains (7, {first_name}, {last_name}, {email}).")
