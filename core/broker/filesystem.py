"""The broker of the embedded default (`make run`, no REDIS_URL): kombu's filesystem transport, made safe for
several processes writing and reading the same folder.

kombu's own transport (5.7) creates a message file under its final name, then writes it; a worker listing the
folder meanwhile may take the file while it is still empty or half-written, fail to decode it (`JSONDecodeError`)
and die, leaving every later message pending until someone restarts it. It also claims a message by moving it to the
system's temporary folder, a copy rather than a rename when that folder is on another file system. Here:

- a message is written under a temporary name that no reader looks at, then renamed into the queue folder
  (`os.replace`, atomic on one file system): a reader sees a whole message or nothing;
- a reader claims a message by renaming it into `claimed/` beside the queue folder (atomic: of two workers, one
  gets it, the other moves on), then reads it there;
- a message that cannot be read or decoded all the same (a file left by a crash of the old transport, a disk
  error) is moved to `unreadable/` with an error in the log, and the worker goes on with the next one.

Selected by `CELERY_BROKER_TRANSPORT = "core.broker.filesystem:Transport"` (config/settings/base.py) when there is no
REDIS_URL.
"""

import logging
import os
import uuid
from pathlib import Path

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".part"  # never ends in ".<queue>.msg": the transport's readers skip it


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        final = Path(self.data_folder_out) / f"{int(filesystem.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        temporary = final.with_name(f"tmp-{uuid.uuid4()}{TEMPORARY_SUFFIX}")
        try:
            with open(temporary, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise filesystem.ChannelError(f"Cannot add file {final.name!r} to the queue folder") from error

    def _get(self, queue):
        suffix = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        claimed = self._subfolder("claimed")
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != suffix:
                continue
            taken = claimed / name
            try:
                os.rename(folder / name, taken)
            except OSError:  # another worker took it first
                continue
            try:
                payload = loads(bytes_to_str(taken.read_bytes()))
            except (OSError, ValueError) as error:
                self._set_aside(taken, error)
                continue
            if self.store_processed:
                os.replace(taken, self._subfolder(self.processed_folder) / name)
            else:
                taken.unlink(missing_ok=True)
            return payload
        raise filesystem.Empty()

    def _subfolder(self, name) -> Path:
        path = Path(self.data_folder_in).parent / Path(name).name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _set_aside(self, path: Path, error: Exception) -> None:
        unreadable = self._subfolder("unreadable") / path.name
        try:
            os.replace(path, unreadable)
        except OSError:
            unreadable = path
        logger.error("Unreadable message %s set aside (%s); the worker goes on with the next one", unreadable, error)


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = filesystem.Transport.global_state
