from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self):
        from kl14.navigation import NavItem, register

        register(
            NavItem(
                "onboarding",
                _("Import from a spreadsheet"),
                "onboarding:index",
                roles=("admin",),
                superuser=True,
                order=890,
                group="system",
                description=_(
                    "Put in units, accounts and memberships from the lists the organization "
                    "board keeps (XLSX or CSV), after a dry run."
                ),
            )
        )
