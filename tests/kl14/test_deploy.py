"""The production shape (docker-compose.yml, .env.example) stays coherent (no Docker here)."""

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_describes_web_worker_beat_database_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    core = {name for name, service in services.items() if not service.get("profiles")}
    assert core == {"proxy", "web", "web-heavy", "worker", "beat", "db", "redis"}
    # The national profile adds replicas of web and worker, never a second beat.
    assert {name for name in services if name not in core} <= {"web-2", "worker-2"}
    assert "gunicorn kl14.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A kl14 worker")
    assert services["beat"]["command"].startswith("celery -A kl14 beat")
    # The second worker takes the exports' own queue when one is set (KL14_EXPORT_QUEUE).
    assert services["worker-2"]["command"].endswith("-Q ${KL14_EXPORT_QUEUE:-celery}")
    assert "gunicorn kl14.wsgi:application" in services["web-heavy"]["command"]
    for name in ("web", "web-heavy", "worker", "beat"):
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "kl14.settings.production"
        )
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_env_example_names_every_required_production_variable():
    keys = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"} <= keys
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()


def test_gunicorn_runs_threads_so_the_bulkhead_can_hold_heavy_reads_back(settings):
    config = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 (our own file)
    assert config["worker_class"] == "gthread"
    # Enough threads for the held heavy reads and the pages served meanwhile.
    assert config["threads"] > settings.KL14_HEAVY_SLOTS + 2


GC_PROBE = """
import gc
import json


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"frozen": gc.get_freeze_count()}).encode()]
"""


def test_a_gunicorn_worker_freezes_what_loading_the_application_left(tmp_path):
    """A real gunicorn, with our gunicorn.conf.py, serving a probe that tells how many objects
    the worker's collector never walks again (post_worker_init's gc.freeze())."""
    import json
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.servers import free_port

    (tmp_path / "gcprobe.py").write_text(GC_PROBE)
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(  # noqa: S603 (the virtualenv's gunicorn, on loopback)
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--pythonpath", str(tmp_path),
         "-w", "1", "-b", f"127.0.0.1:{port}", "gcprobe:application"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    frozen = json.loads(answer.read())["frozen"]
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # gunicorn's own modules and the application's: thousands of objects, frozen once.
    assert frozen > 1000
