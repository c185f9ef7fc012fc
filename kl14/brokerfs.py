"""kombu's file-system transport (the broker of `make run` without Redis), with whole messages only.

kombu 5.7's `_put` creates a message's file under its final name, then locks it and writes it; its
`_get` takes any file of that name without the lock. A worker looking in between read an empty
file, failed to decode it (`JSONDecodeError`, "Unrecoverable error") and stopped, and honcho
stopped the web server with it: under `make run`, a burst of requests that queued tasks took the
whole app down now and then. Here a message is written under a name `_get` never takes (a dot
first), then renamed to its final name, which on one file system is atomic: a reader finds the
whole message or nothing.

Its scheme is `kl14fs://` (settings.CELERY_BROKER_URL when REDIS_URL is not set), registered with
kombu by kl14/celery.py; an explicit broker URL (a test's Redis) keeps its own transport."""

import os
import uuid
from contextlib import suppress
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{uuid.uuid4().hex}")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


SCHEME = "kl14fs"


def register() -> None:
    TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
