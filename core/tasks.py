"""The retry policy shared by the project's Celery tasks: retried with exponential backoff (capped at 10 minutes)
on any error, a few times; what must not be lost is also in the database, for the beat sweepers."""

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}
