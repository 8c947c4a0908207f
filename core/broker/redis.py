"""kombu's Redis transport, with a worker that survives a broker outage with tasks in flight.

The failure (kombu 5.7.0, celery 5.7.0, the newest on PyPI when written): a worker with an acknowledgement pending
(`acks_late`: a task running) and a free pool slot (so a BRPOP is waiting on the broker) loses Redis. Celery's
consumer then (`Consumer.on_connection_error_after_connected`):

1. calls `Connection.collect()`, which closes the connection's channels, then detaches the transport from the
   connection (`transport.client = None`). With Redis gone, each close stops at its first Redis command: the task
   channel's close at reading the BRPOP in flight (`Channel.close` → `_brpop_read`: `ConnectionError`), before it
   marks itself closed; the transport's loop over its channels stops at the first close that fails (the events
   channel's, deleting its auto-delete queue). The task channel stays open, its unacknowledged message held;
2. closes the connection again: the task channel's close now goes further and restores its unacknowledged message
   (`QoS.restore_unacked`), which needs a Redis client; the channel's pool was disconnected, so it builds a new one
   from the connection parameters, `self.connection.client.hostname`: `client` is None since step 1.

`AttributeError: 'NoneType' object has no attribute 'hostname'` is not a connection error: it goes through
`ignore_errors` and out of the consumer, and the worker stops ("Unrecoverable error"), for good. Same failure as
https://github.com/celery/kombu/issues/970 (restore at shutdown) and https://github.com/celery/kombu/issues/582
(closing a channel after the connection): a channel that outlives its connection's transport still reads it.

The fix (minimal, in the upstream style): a channel whose transport was detached, or that was closed, raises a
Redis `ConnectionError` when it needs a new client, as it would if Redis were unreachable. Every caller already
handles that one: the close is ignored, the consumer reconnects. The message stays in Redis's unacknowledged set and
is delivered again once the visibility timeout has passed (`restore_visible`); the notifications outbox does not wait
for that, its sweeper re-enqueues what is still pending (notifications/tasks.py). Remove this module when kombu
ships a fix (a transport that never rebuilds a pool without its connection) and `tests/core/test_broker_redis.py`
passes with kombu's own transport.

Selected by `CELERY_BROKER_TRANSPORT = "core.broker.redis:Transport"` (config/settings/base.py) when REDIS_URL is set.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class DetachedChannelError(RedisConnectionError):
    """The channel's connection was closed or detached: there is no Redis to talk to through it any more."""


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise DetachedChannelError("This channel's broker connection is closed; the consumer reconnects.")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
