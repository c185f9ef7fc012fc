"""gunicorn's settings, read from the working directory by every `gunicorn kl14.wsgi…` here (the
Dockerfile, docker-compose.yml, bench/national.py).

Threads: the bulkhead (kl14/bulkhead.py) holds the heavy reads back to KL14_HEAVY_SLOTS per
process; a held request waits in a thread of its own, and the other threads keep serving every
other page. Each thread keeps its own database connection (DJANGO_CONN_MAX_AGE), so a web
container opens up to workers × threads connections: size PostgreSQL's max_connections or
PgBouncer's pool for it (docs/scaling.md). WEB_CONCURRENCY sets the workers (gunicorn's own
variable), GUNICORN_THREADS the threads.

Switch interval: a thread of a worker waits for the interpreter lock whenever it comes back from
the database or the socket; while a heavy read computes in another thread of the same worker,
Python hands the lock over only every 5 ms by default, several times per request. Every 0.5 ms
(GUNICORN_SWITCH_INTERVAL, seconds) keeps the everyday pages near their idle time beside a heavy
one: at 1M proposals, the floor's p95 under 8 heavy clients went from 11 to 8.4 ms
(docs/scaling.md).

Garbage collector: once a worker has loaded the application, the ~180,000 objects of Django, the
apps and their modules live as long as the worker, yet every full collection walked them all
again: ~150 ms during which no thread of the worker runs (measured in-process at 1M: one request
in 330 took 157 ms against its 26 ms p50). They are moved to the permanent generation
(`gc.freeze()`), which collections never walk; what requests allocate is collected as before."""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

_switch_interval = float(os.environ.get("GUNICORN_SWITCH_INTERVAL", "0.0005"))


def post_fork(server, worker):
    import sys

    sys.setswitchinterval(_switch_interval)


def post_worker_init(worker):
    import gc

    gc.collect()  # what loading left behind is freed first, not frozen with the rest
    gc.freeze()
