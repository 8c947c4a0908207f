"""A redis-server of a benchmark's or a fault test's own, on a spare port of 127.0.0.1, that it stops and starts again
(same port, same folder): the shared Redis of the machine is never stopped. No Django here.

With `persist`, the server saves its data when stopped and reads it back when started again, as the docker-compose
stack's Redis does (its default snapshot rules and a volume): what was queued survives the restart. Without, a
restart loses everything, as a Redis without a disk would; the notifications' sweeper must then make up for it.
"""

import shutil
import subprocess
import time
from pathlib import Path

import redis

from bench._sinks import free_port

START_TIMEOUT = 20


def available() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    def __init__(self, folder: Path, *, persist: bool = False):
        self.port = free_port()
        self.folder = Path(folder)
        self.persist = persist
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        save = ["--save", "3600 1", "--dbfilename", "dump.rdb"] if self.persist else ["--save", ""]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "no", *save]
            + ["--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Shut down (SIGTERM: with `persist`, Redis saves its data first) and wait for the port to be free."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
