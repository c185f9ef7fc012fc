from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from kl14.navigation import NavItem, register

        from .selectors import unread_count

        # Every installed app's `deadlines` module registers the deadline kinds of its stage.
        autodiscover_modules("deadlines")
        register(
            NavItem(
                "notifications",
                _("Notifications"),
                "notifications:list",
                order=800,
                description=_("Reminders of deadlines, escalations and periodic reviews."),
                badge=unread_count,
                badge_label=_("unread"),
            )
        )
