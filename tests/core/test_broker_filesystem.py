"""The embedded default's broker (`core.broker.filesystem`): kombu's filesystem transport, safe for several processes.

kombu's own transport creates a message file under its final name before writing it, so a worker may read it empty
or half-written and die on `JSONDecodeError` (seen under `make run` after about 1,100 tasks). These tests run real
processes on a real folder: producers and consumers racing, and a message file that cannot be decoded."""

import multiprocessing
import os
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection
from kombu.transport import filesystem

from config.celery import app

QUEUE = "broker-test"
PRODUCERS, PER_PRODUCER, CONSUMERS = 4, 150, 2


def connection(folder: Path, transport="core.broker.filesystem:Transport") -> Connection:
    for name in ("queue", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    # The control folder too: kombu's default ("control", relative to the working directory) put files in the repo.
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }
    return Connection("filesystem://localhost//", transport=transport, transport_options=options)


def produce(folder, producer):
    with connection(Path(folder)) as conn:
        queue = conn.SimpleQueue(QUEUE)
        for number in range(PER_PRODUCER):
            queue.put({"producer": producer, "number": number, "padding": "x" * 20_000})
        queue.close()


def consume(folder, expected, results):
    received = []
    with connection(Path(folder)) as conn:
        queue = conn.SimpleQueue(QUEUE)
        idle = 0
        while idle < 50 and len(received) < expected:
            try:
                message = queue.get(timeout=0.1)
            except queue.Empty:
                idle += 1
                continue
            idle = 0
            received.append((message.payload["producer"], message.payload["number"]))
            message.ack()
        queue.close()
    results.put(received)


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="with REDIS_URL the broker is Redis")
def test_the_embedded_default_uses_the_safe_transport():
    with app.connection_for_write() as conn:
        assert type(conn.transport).__module__ == "core.broker.filesystem"


def test_racing_producers_and_consumers_lose_nothing_and_read_every_message_whole(tmp_path):
    context = multiprocessing.get_context("spawn" if os.name != "posix" else "fork")
    results = context.Queue()
    total = PRODUCERS * PER_PRODUCER
    consumers = [context.Process(target=consume, args=(str(tmp_path), total, results)) for _ in range(CONSUMERS)]
    producers = [context.Process(target=produce, args=(str(tmp_path), n)) for n in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    received = [item for _ in consumers for item in results.get(timeout=120)]
    for process in consumers + producers:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert sorted(received) == sorted((p, n) for p in range(PRODUCERS) for n in range(PER_PRODUCER))
    assert not (tmp_path / "unreadable").exists()
    assert [name for name in os.listdir(tmp_path / "queue")] == []


def write_raw(folder: Path, name: str, content: bytes):
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    (folder / "queue" / name).write_bytes(content)


def test_a_message_that_cannot_be_decoded_is_set_aside_and_the_next_one_is_delivered(tmp_path, caplog):
    write_raw(tmp_path, f"1_a.{QUEUE}.msg", b'{"body": "half-writ')
    write_raw(tmp_path, f"2_b.{QUEUE}.msg", b'{"next": true}')
    with connection(tmp_path) as conn:
        assert conn.default_channel._get(QUEUE) == {"next": True}
    assert [path.name for path in (tmp_path / "unreadable").iterdir()] == [f"1_a.{QUEUE}.msg"]
    assert "Unreadable message" in caplog.text


def test_kombus_own_transport_dies_on_that_message(tmp_path):
    """The cause, shown on kombu's own transport: the same file raises out of `get`, which kills a worker."""
    write_raw(tmp_path, f"1_a.{QUEUE}.msg", b'{"body": "half-writ')
    with connection(tmp_path, transport=filesystem.Transport) as conn:
        channel = conn.default_channel
        with pytest.raises(ValueError):
            channel._get(QUEUE)
