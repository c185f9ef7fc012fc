"""bench/settings.py: without Redis, the benchmark's Celery broker takes the reminder sweep's
dispatches, in a folder of its own, on a checkout where `make run` never made var/celery."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = """
import json, os
import django
django.setup()
from django.conf import settings
from kl14.celery import app
app.send_task("bench.probe", args=[1], retry=False)
folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
print(json.dumps({"folder": folder, "messages": len(os.listdir(folder))}))
"""


def test_without_redis_the_bench_broker_takes_messages_outside_var(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", TMPDIR=str(tmp_path))
    run = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    folder = Path(answer["folder"])
    assert folder.is_relative_to(tmp_path)  # the bench's own, not var/celery
    assert answer["messages"] == 1  # the broker took the message
