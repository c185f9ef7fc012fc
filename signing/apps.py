from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = _("Signatures")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
