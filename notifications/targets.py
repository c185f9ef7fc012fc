"""Whether a notification's link opens for its recipient now.

A notification points at a page (`Notification.url`). Some recipients may not open it: an overdue
item escalated to the head of the parent unit (lifecycle.md, "Deadlines and reminders") is not
visible to that head (lifecycle.md, "Visibility": the deciding and home units' leaders, the
oversight roles of the ancestors); a recipient may also have left the unit or the authors since.
Following such a link would answer 404 (or 403). `notifications.views.notification_open` asks
`opens` first, and shows the notification itself, with why, instead.

Each app registers how to check the pages it serves (in its AppConfig.ready), with the same
function its views use to load them, so the answer is the page's own:

    targets.register("pilots:detail", targets.by_access(permissions.access_pilot))

A page nobody registered is assumed to open (a list, the home page: they check nothing per row).
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from kl14.errors import Forbidden, NotFound

__all__ = ["by_access", "opens", "register"]

Check = Callable[..., bool]  # (user, **the URL's keyword arguments) -> bool

_checks: dict[str, Check] = {}


def register(view_name: str, check: Check) -> None:
    """`check(user, **kwargs)` says whether `user` may open the page named `view_name`."""
    _checks[view_name] = check


def by_access(access: Callable) -> Check:
    """A check from a view's access function `access(user, pk)`, which raises NotFound (404) or
    Forbidden (403), or returns False for a page the user may see but not use."""

    def check(user, pk, **_kwargs) -> bool:
        try:
            return access(user, pk) is not False
        except (NotFound, Forbidden):
            return False

    return check


def opens(user, url: str) -> bool:
    """Whether `url`, a path of this site, opens for `user` (not a 404)."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    check = _checks.get(match.view_name)
    return check is None or check(user, **match.kwargs)
