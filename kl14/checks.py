"""System checks of KL14's own settings (run by `manage.py check`, `migrate` and the test runner),
so that a mistaken value stops the deployment at start-up instead of failing a user's request.

docker-compose.yml's web runs `migrate` before gunicorn: a failed check stops it there, and
web-heavy and the proxy, which wait for it, never start on a bad configuration.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import proxy


@register(Tags.compatibility)
def check_bulkhead(app_configs=None, **kwargs) -> list[Error]:
    """The bulkhead's settings (kl14/bulkhead.py)."""
    errors = []
    duty = getattr(settings, "KL14_HEAVY_DUTY", 1.0)
    if not isinstance(duty, int | float) or isinstance(duty, bool) or not 0 < duty <= 1:
        errors.append(
            Error(
                f"KL14_HEAVY_DUTY must be a number in (0, 1], not {duty!r}.",
                hint="The share of a slot's time the heavy reads may compute: 1 for no limit, "
                "0.5 for half (the default).",
                id="kl14.E001",
            )
        )
    slots = getattr(settings, "KL14_HEAVY_SLOTS", 1)
    if not isinstance(slots, int) or isinstance(slots, bool) or slots < 0:
        errors.append(
            Error(
                f"KL14_HEAVY_SLOTS must be a whole number of 0 or more, not {slots!r}.",
                hint="0 turns the bulkhead off.",
                id="kl14.E002",
            )
        )
    wait = getattr(settings, "KL14_HEAVY_WAIT", 30)
    if not isinstance(wait, int | float) or isinstance(wait, bool) or wait < 0:
        errors.append(
            Error(
                f"KL14_HEAVY_WAIT must be a number of seconds of 0 or more, not {wait!r}.",
                id="kl14.E003",
            )
        )
    return errors


@register(Tags.urls)
def check_heavy_views(app_configs=None, **kwargs) -> list[Error]:
    """Each view of KL14_HEAVY_VIEWS has an address (the proxy routes it, kl14/proxy.py)."""
    errors = []
    try:
        proxy.heavy_paths()
    except ValueError as error:
        errors.append(
            Error(
                str(error) + ".",
                hint="Each name must be a view's URL name without arguments, such as "
                "'reviews:dashboard'.",
                id="kl14.E004",
            )
        )
    return errors
