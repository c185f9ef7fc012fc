"""gunicorn's settings, read from the working directory by every `gunicorn kl14.wsgi…` here (the
Dockerfile, docker-compose.yml, bench/national.py).

Threads: the bulkhead (kl14/bulkhead.py) holds the heavy reads back to KL14_HEAVY_SLOTS per
process; a held request waits in a thread of its own, and the other threads keep serving every
other page. Each thread keeps its own database connection (DJANGO_CONN_MAX_AGE), so a web
container opens up to workers × threads connections: size PostgreSQL's max_connections or
PgBouncer's pool for it (docs/scaling.md). WEB_CONCURRENCY sets the workers (gunicorn's own
variable), GUNICORN_THREADS the threads."""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
