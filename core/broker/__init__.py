"""The broker transports Celery uses here: kombu's own, each with a fix for a way it made a worker die.

- `core.broker.redis`: production and the docker-compose stack (REDIS_URL set);
- `core.broker.filesystem`: the embedded default of `make run` (no REDIS_URL), a broker that needs no server.

`CELERY_BROKER_TRANSPORT` (config/settings/base.py) selects one or the other; each module says what it fixes and
when it can go.
"""
