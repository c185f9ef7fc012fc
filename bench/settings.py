"""Settings of bench/national.py: the local settings without debugging, the floor view's URL, and
a header with the number of queries of each request. Never used outside the benchmark."""

from kl14.settings.local import *  # noqa: F403
from kl14.settings.local import (
    CELERY_BROKER_TRANSPORT_OPTIONS,
    CELERY_BROKER_URL,
    DATABASES,
    MIDDLEWARE,
)

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.views.QueryCountMiddleware", *MIDDLEWARE]
DATABASES["default"]["CONN_MAX_AGE"] = 60

# Without REDIS_URL, kombu's file-system broker, in a folder of the bench's own (made here: on a
# fresh checkout `make run` has not made var/celery yet). The reminder sweep then times its
# dispatches as a broker takes them, not as half a million e-mails whose broker refused them
# (each refusal logs a traceback), and a `make run` worker never consumes the bench's messages.
if not CELERY_BROKER_URL.startswith("redis"):
    import tempfile
    from pathlib import Path

    _BROKER = Path(tempfile.gettempdir()) / "kl14-bench-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_BROKER / "queue"),
        "data_folder_out": str(_BROKER / "queue"),
        "control_folder": str(_BROKER / "control"),
    }
    for _folder in ("queue", "control"):
        (_BROKER / _folder).mkdir(parents=True, exist_ok=True)
