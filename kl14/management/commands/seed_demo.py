import json
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


def demo_modules():
    """Every installed project app may ship a `demo` module with `seed(context)`."""
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.path.startswith(str(settings.BASE_DIR)) and find_spec(name):
            yield import_module(name)


class Command(BaseCommand):
    help = "Load idempotent demo data (a province, users for every role, proposals in every state)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="List the demo accounts.")
        parser.add_argument("--json", action="store_true", help="With --list: print JSON.")

    def handle(self, *args, list=False, json=False, **options):
        if list:
            return self.list_accounts(as_json=json)
        context = {"password": settings.KL14_DEMO_PASSWORD}
        with transaction.atomic():
            for module in demo_modules():
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))

    def list_accounts(self, *, as_json):
        from units.demo import accounts

        rows = accounts()
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['username']:<22} {row['role']:<20} {row['unit_code']:<10} {row['unit_name']}"
            )
