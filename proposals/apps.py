from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from kl14.navigation import NavItem, register
        from notifications import targets
        from units.models import Role

        from . import (
            events,  # noqa: F401 - labels of its ledger events
            records,  # noqa: F401 - how its rows are cross-checked with the ledger
            transitions,  # noqa: F401 - registers the decision-stage transitions
        )
        from .permissions import access_proposal, is_author
        from .views.lists import inbox_rows, opinion_rows, vote_rows

        # A notification's link to a proposal opens only for whoever may see it (targets.py); its
        # form, for its authors (the edit view's own rule).
        targets.register("proposals:detail", targets.by_access(access_proposal))
        targets.register(
            "proposals:edit",
            targets.by_access(lambda user, pk: is_author(user, access_proposal(user, pk))),
        )

        register(
            NavItem(
                "proposals",
                _("My proposals"),
                "proposals:mine",
                roles=tuple(Role.values),
                order=10,
                group="proposals",
                description=_("Write a proposal, submit it and follow it step by step."),
            )
        )
        register(
            NavItem(
                "proposals_inbox",
                _("Awaiting my decision"),
                "proposals:inbox",
                roles=(Role.HEAD,),
                order=20,
                group="proposals",
                description=_("Proposals submitted to the units you head, the earliest due first."),
                badge_rows=inbox_rows,
            )
        )
        register(
            NavItem(
                "proposals_votes",
                _("Awaiting my vote"),
                "proposals:votes",
                roles=(Role.HEAD, Role.DEPUTY),
                order=30,
                group="proposals",
                description=_(
                    "What your leadership collective votes on: decisions on proposals and "
                    "evaluations of their results."
                ),
                badge_rows=vote_rows,
            )
        )
        register(
            NavItem(
                "proposals_opinions",
                _("Awaiting the Party committee's opinion"),
                "proposals:opinions",
                roles=(Role.PARTY_COMMITTEE,),
                order=40,
                group="proposals",
                description=_("Proposals on which the Party committee's opinion is sought."),
                badge_rows=opinion_rows,
            )
        )
