from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class KL14AdminSite(admin.AdminSite):
    """Superusers see everything; a unit's `admin` member manages units, memberships and
    accounts of their own subtree (each ModelAdmin narrows itself to it)."""

    site_header = _("KL14 administration")
    site_title = _("KL14 administration")
    index_title = _("Units, memberships and accounts")

    def has_permission(self, request):
        from units.permissions import can_administer_any_unit

        user = request.user
        return user.is_active and user.is_authenticated and can_administer_any_unit(user)
