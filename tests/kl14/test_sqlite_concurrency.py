"""`make run` on its SQLite default: the web server, the Celery worker and beat write to one file
at once. Transactions that read and then write must wait for each other, never fail with
"database is locked" (seen from outside: the token endpoint answered 500 while the worker issued
official documents)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

SCRIPT = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as c:
        c.execute("CREATE TABLE counter (n integer)")
        c.execute("INSERT INTO counter VALUES (0)")
        c.execute("PRAGMA journal_mode")
        print("journal", c.fetchone()[0])
    connection.close()
    errors = []

    def work():
        try:
            for _ in range(40):
                with transaction.atomic():
                    with connection.cursor() as c:
                        c.execute("SELECT n FROM counter")
                        n = c.fetchone()[0]
                        c.execute("UPDATE counter SET n = %s", [n + 1])
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with connection.cursor() as c:
        c.execute("SELECT n FROM counter")
        print("count", c.fetchone()[0])
    print("errors", len(errors), errors[:1])
    """
)


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kl14.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "journal wal" in result.stdout
    assert "errors 0 []" in result.stdout, result.stdout
    assert "count 160" in result.stdout  # no update lost either
