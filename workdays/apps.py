from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("Workdays")

    def ready(self):
        from kl14.navigation import NavItem, register

        register(
            NavItem(
                "calendar",
                _("Calendar"),
                "workdays:calendar",
                order=800,
                group="system",
                description=_("Working days, public holidays and days off used for deadlines."),
            )
        )
