"""Writes the nginx configuration of the reverse proxy (kl14/proxy.py): the heavy reads to
web-heavy, the rest to web. Without options, the one docker-compose.yml mounts
(deploy/nginx.conf)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kl14 import proxy


class Command(BaseCommand):
    help = "Print (or write) the reverse proxy's nginx configuration."

    def add_arguments(self, parser):
        parser.add_argument(
            "--web", action="append", help="host:port of a web process (repeatable)"
        )
        parser.add_argument(
            "--heavy", action="append", help="host:port of a web-heavy process (repeatable)"
        )
        parser.add_argument("--listen", default=proxy.COMPOSE["listen"])
        parser.add_argument("--output", help="a file to write instead of printing")

    def handle(self, *args, **options):
        text = proxy.nginx_config(
            web=options["web"] or proxy.COMPOSE["web"],
            heavy=options["heavy"] or proxy.COMPOSE["heavy"],
            listen=options["listen"],
        )
        if options["output"]:
            Path(options["output"]).write_text(text)
        else:
            self.stdout.write(text, ending="")
