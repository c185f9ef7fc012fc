"""A mail backend for tests across processes: every message is one JSON line appended to the file
named by KL14_TEST_MAILBOX (O_APPEND writes of one line do not interleave). A worker process and
the test read the same file. KL14_TEST_MAILBOX_DELAY (seconds) makes each send take a while, as
a mail server does, so that a test can kill things mid-way."""

import fcntl
import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FileMailbox(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["KL14_TEST_MAILBOX"]
        delay = float(os.environ.get("KL14_TEST_MAILBOX_DELAY", "0"))
        for message in email_messages:
            if delay:
                time.sleep(delay)
            line = json.dumps({"to": message.to, "subject": message.subject, "pid": os.getpid()})
            with open(path, "a", encoding="utf-8") as mailbox:
                fcntl.flock(mailbox, fcntl.LOCK_EX)
                mailbox.write(line + "\n")
        return len(email_messages)


def read(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
