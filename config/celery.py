"""The Celery application. Broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("sans_rupture")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sans_rupture.ping")
def ping():
    """Round-trip probe used by /healthz?worker=1, the CI process check and the worker smoke test."""
    return "pong"


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_database_connections(task=None, **kwargs):
    """Around each task, what Django does around each request: close the database connection only if it is broken
    or older than CONN_MAX_AGE (and check its health before its next use, CONN_HEALTH_CHECKS).

    Celery's own Django fixup closes every connection before and after every task unless CELERY_DB_REUSE_MAX is set
    (see base settings), which made each task open a new PostgreSQL connection: ~7 ms on the local server, more over
    TLS, paid by every alert delivery. Eager calls (tests) run inside the caller's transaction and are left alone.
    """
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def drop_query_strings_from_worker_logs(logger=None, **kwargs):
    """The worker's and beat's own log handlers (Celery replaces the root logger's) drop query strings too, like
    those of settings.LOGGING (core/logging.py)."""
    from core.logging import DropQueryStrings

    for handler in logger.handlers if logger is not None else ():
        handler.addFilter(DropQueryStrings())


@signals.worker_process_shutdown.connect
@signals.worker_shutdown.connect
def close_kept_connections(**kwargs):
    """End the SMTP session and the connection to the SMS provider a worker keeps between deliveries
    (`notifications.channels.email_connection`, `notifications.sms.HttpSmsBackend`)."""
    from notifications.channels import close_kept_email_connection
    from notifications.sms import close_kept_sms_connection

    close_kept_email_connection()
    close_kept_sms_connection()
