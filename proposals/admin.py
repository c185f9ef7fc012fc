from django.contrib import admin

from .models import Proposal


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-only for superusers: a proposal changes only through its services (the app and API)."""

    list_display = ("code", "title", "state", "home_unit", "deciding_unit", "decision_due")
    list_filter = ("state",)
    search_fields = ("code", "title")
    list_select_related = ("home_unit", "deciding_unit")
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
