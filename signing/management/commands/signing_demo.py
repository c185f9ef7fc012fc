from django.conf import settings
from django.core.management.base import BaseCommand

from signing import keys


class Command(BaseCommand):
    help = (
        "Create a local demo CA and a signing certificate under KL14_SIGNING_DIR (var/signing/) "
        "for `make run`, once. Production sets KL14_SIGNING_PKCS12 or KL14_SIGNING_PKCS11_*."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace existing material.")

    def handle(self, *args, force=False, **options):
        cfg = keys.config()
        if cfg.source != "demo":
            self.stdout.write(
                f"Signing uses the configured {cfg.source} certificate: nothing to do."
            )
            return
        created = keys.create_demo(settings.KL14_SIGNING_DIR, force=force)
        where = settings.KL14_SIGNING_DIR
        self.stdout.write(
            f"Demo CA and signing certificate created in {where}."
            if created
            else f"Demo signing certificate already in {where}."
        )
