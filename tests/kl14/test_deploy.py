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
