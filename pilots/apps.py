from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("Pilots")

    def ready(self):
        from kl14.navigation import NavItem, register
        from notifications import targets
        from proposals.permissions import is_supervising_head

        from . import (
            events,  # noqa: F401 - labels of its ledger events
            records,  # noqa: F401 - how its rows are cross-checked with the ledger
            transitions,  # noqa: F401 - registers the implementation-stage transitions
        )
        from .permissions import access_pilot

        # A notification's link to a pilot opens only for whoever may see it (targets.py); its
        # plan, for its supervising head (the plan view's own rule).
        targets.register("pilots:detail", targets.by_access(access_pilot))
        targets.register(
            "pilots:plan",
            targets.by_access(lambda user, pk: is_supervising_head(user, access_pilot(user, pk))),
        )

        register(
            NavItem(
                "pilots_mine",
                _("My pilots"),
                "pilots:mine",
                roles=("cadre", "deputy"),
                order=310,
                group="pilots",
                description=_("The approved proposals you implement: plans, reports, deadlines."),
            )
        )
        register(
            NavItem(
                "pilots_unit",
                _("Pilots of my unit"),
                "pilots:unit",
                roles=("head",),
                order=320,
                group="pilots",
                description=_("Plans to prepare, work under way and reports due in your units."),
            )
        )
        register(
            NavItem(
                "pilots_monitored",
                _("Pilots I monitor"),
                "pilots:monitored",
                roles=("inspector",),
                order=330,
                group="pilots",
                description=_("The pilots you were assigned to monitor and inspect."),
            )
        )
