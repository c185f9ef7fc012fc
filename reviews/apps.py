from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from kl14.navigation import NavItem, register
        from ledger.models import LedgerEntry
        from ledger.signals import entry_appended
        from notifications import targets
        from proposals.permissions import access_proposal
        from units.models import Role
        from units.signals import unit_moved

        from . import (
            evaluation,  # noqa: F401 - registers the evaluation's ballot among the collective votes
            events,  # noqa: F401 - labels of its ledger events
            exports,
            records,  # noqa: F401 - how its rows are cross-checked with the ledger
            transitions,  # noqa: F401 - registers the review-stage transitions
        )
        from .permissions import access_lesson, is_board_member
        from .rollups import on_entry_appended, on_unit_moved

        # A notification's link to a review opens only for whoever may see it (targets.py).
        for name in ("reviews:review", "reviews:abuse"):
            targets.register(name, targets.by_access(access_proposal))
        targets.register("reviews:lesson", targets.by_access(access_lesson))
        targets.register("reviews:recognitions", lambda user, **_: is_board_member(user))

        # The dashboard's roll-ups follow every change in its own transaction (rollups.py).
        entry_appended.connect(
            on_entry_appended, sender=LedgerEntry, dispatch_uid="reviews.rollups"
        )
        unit_moved.connect(on_unit_moved, dispatch_uid="reviews.rollups")

        exports.register()  # the period report and the dossier, built by a worker

        register(
            NavItem(
                "lessons",
                _("Lessons"),
                "reviews:lessons",
                order=300,
                group="reviews",
                description=_("The lessons library: evaluated proposals and what they teach."),
            )
        )
        register(
            NavItem(
                "dashboard",
                _("Dashboard"),
                "reviews:dashboard",
                roles=(Role.ORGANIZATION_BOARD,),
                order=310,
                group="reviews",
                description=_("Figures of your subtree and the periodic review reports."),
            )
        )
        register(
            NavItem(
                "recognitions",
                _("Recognition"),
                "reviews:recognitions",
                roles=(Role.ORGANIZATION_BOARD,),
                order=320,
                group="reviews",
                description=_("Cadres of your subtree recognised for their proposals."),
            )
        )
        register(
            NavItem(
                "board-requests",
                _("Recognition and replication requests"),
                "reviews:board-requests",
                roles=(Role.HEAD, Role.STANDING_COMMITTEE, Role.ORGANIZATION_BOARD),
                order=325,
                group="reviews",
                description=_(
                    "What organization boards propose (recognition, replication) and the "
                    "competent authority decides."
                ),
            )
        )
        register(
            NavItem(
                "dossier-verify",
                _("Verify a dossier"),
                "reviews:verify",
                order=330,
                group="reviews",
                description=_("Check a protection dossier against the ledger."),
            )
        )
