"""A Celery worker (pool solo, one process) started fresh for a benchmark, on one queue, with the bench settings and
a broker folder of its own; optionally with beat. Its log is `<folder>/<name>-worker.log`."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings as django_settings

BASE_DIR = Path(django_settings.BASE_DIR)


class BenchWorker:
    def __init__(self, folder: str, *, name: str, queue: str, beat: bool = False):
        self.folder = Path(folder)
        self.name, self.queue, self.beat = name, queue, beat
        self.log = self.folder / f"{name}-worker.log"
        self.process: subprocess.Popen | None = None

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "SANS_RUPTURE_VAR_DIR": str(self.folder),
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"bench-{self.name}@%h"]
        command += ["-Q", self.queue]
        if self.beat:
            command += ["--beat", "--schedule", str(self.folder / "beat-schedule")]
        self.output = self.log.open("w")
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while " ready." not in self.log.read_text() and self.process.poll() is None:
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.2)
        assert self.process.poll() is None, self.log.read_text()

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), in MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()
