"""The Celery application. Broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("sans_rupture")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sans_rupture.ping")
def ping():
    """Round-trip probe used by /healthz?worker=1, the CI process check and the worker smoke test."""
    return "pong"
