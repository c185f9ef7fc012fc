from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import keys


@register(Tags.security, deploy=True)
def signing_configured(app_configs, **kwargs):
    """Production signs with the organisation's certificate, never with the demo CA."""
    if getattr(settings, "DEBUG", False):
        return []
    cfg = keys.config()
    if cfg.source == "demo" and getattr(settings, "KL14_SIGNING_REQUIRED", False):
        return [
            Error(
                "No signing certificate is configured.",
                hint="Set KL14_SIGNING_PKCS12 and KL14_SIGNING_PKCS12_PASSWORD, or the "
                "KL14_SIGNING_PKCS11_* variables, and KL14_SIGNING_TRUST_ROOTS.",
                id="signing.E001",
            )
        ]
    if cfg.source == "pkcs12" and not Path(cfg.pkcs12).is_file():
        return [
            Error(
                f"The signing PKCS#12 file {cfg.pkcs12} cannot be read.",
                hint="KL14_SIGNING_PKCS12 names a file the web and worker processes can read.",
                id="signing.E002",
            )
        ]
    return []
