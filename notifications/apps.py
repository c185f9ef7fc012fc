from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from kl14.navigation import NavItem, register
        from ledger.models import LedgerEntry
        from ledger.signals import entry_appended

        from . import targets
        from .events import on_entry_appended
        from .permissions import access_review
        from .selectors import unread_rows

        targets.register("notifications:review-report", targets.by_access(access_review))

        # Every installed app's `deadlines` module registers the deadline kinds of its stage, and
        # its `notices` module the notifications of its steps.
        autodiscover_modules("deadlines")
        autodiscover_modules("notices")
        entry_appended.connect(
            on_entry_appended, sender=LedgerEntry, dispatch_uid="notifications.events"
        )
        register(
            NavItem(
                "notifications",
                _("Notifications"),
                "notifications:list",
                order=800,
                description=_(
                    "What you must do next, what was decided, reminders of deadlines and "
                    "periodic reviews."
                ),
                badge_rows=unread_rows,
                badge_label=_("unread"),
            )
        )
