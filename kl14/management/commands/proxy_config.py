"""Writes the nginx configuration of the reverse proxy (kl14/proxy.py): the heavy reads to
web-heavy, the rest to web, nginx's own errors as our pages. Without options, the one
docker-compose.yml mounts (deploy/nginx.conf); `--write-errors deploy/nginx-errors` writes the
error pages it mounts beside it."""

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
        parser.add_argument(
            "--errors", default=proxy.COMPOSE["errors"],
            help="the directory where nginx finds the error pages",
        )  # fmt: skip
        parser.add_argument("--output", help="a file to write instead of printing")
        parser.add_argument("--write-errors", help="a directory to write the error pages into")

    def handle(self, *args, **options):
        text = proxy.nginx_config(
            web=options["web"] or proxy.COMPOSE["web"],
            heavy=options["heavy"] or proxy.COMPOSE["heavy"],
            listen=options["listen"],
            errors=options["errors"],
        )
        if options["write_errors"]:
            proxy.write_error_pages(Path(options["write_errors"]))
        if options["output"]:
            Path(options["output"]).write_text(text)
        else:
            self.stdout.write(text, ending="")
