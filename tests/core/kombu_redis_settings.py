"""The test settings with kombu's own Redis transport instead of `core.broker.redis`: the worker test runs with both,
to show the failure the fix is for (and to tell us when kombu fixes it)."""

from config.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT = "redis"
