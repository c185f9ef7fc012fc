"""Settings of bench/national.py: the local settings without debugging, the floor view's URL, and
a header with the number of queries of each request. Never used outside the benchmark."""

from kl14.settings.local import *  # noqa: F403
from kl14.settings.local import DATABASES, MIDDLEWARE

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.views.QueryCountMiddleware", *MIDDLEWARE]
DATABASES["default"]["CONN_MAX_AGE"] = 60
