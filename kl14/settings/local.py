"""Local development: embedded defaults, nothing to configure."""

import ipaddress

from .base import *
from .base import LOGGING, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
WHITENOISE_AUTOREFRESH = True
# Readable logs, and the metrics for whoever runs the app on this machine.
KL14_LOG_FORMAT = env("KL14_LOG_FORMAT", default="text")
LOGGING["handlers"]["console"]["formatter"] = "json" if KL14_LOG_FORMAT == "json" else "text"
KL14_METRICS_ALLOWED_IPS = env.list("KL14_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
KL14_METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(address, strict=False) for address in KL14_METRICS_ALLOWED_IPS
]
# Every ledger event and payload key has a human label (ledger/events.py), or the step fails.
KL14_LEDGER_STRICT_EVENTS = True
