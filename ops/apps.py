from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from . import metrics, signals  # noqa: F401 - the collector and the Celery receivers

        metrics.register_collector()
