from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from kl14.navigation import NavItem, register
        from proposals.selectors import RECORD_CHECKS
        from units.models import Role

        from . import transitions  # noqa: F401 - registers the review-stage transitions
        from .verification import evaluation_matches, responsibility_matches

        RECORD_CHECKS.extend([evaluation_matches, responsibility_matches])

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
                "dossier-verify",
                _("Verify a dossier"),
                "reviews:verify",
                order=330,
                group="reviews",
                description=_("Check a protection dossier against the ledger."),
            )
        )
