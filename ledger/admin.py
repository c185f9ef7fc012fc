from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .events import event_title
from .models import Checkpoint, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only, so the admin offers no way to add, edit or delete."""

    # The step as the proposal's page names it, beside the code the entry stores and hashes.
    list_display = ("proposal", "seq", "step", "event", "from_state", "to_state", "actor", "at")
    list_filter = ("event",)
    search_fields = ("proposal__code", "hash")
    list_select_related = ("proposal", "actor")
    ordering = ("proposal_id", "seq")
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]

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

    @admin.display(description=_("Step"))
    def step(self, entry):
        return event_title(entry.event, entry.payload)


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    """Read-only: a checkpoint is signed; editing it would only break its signature."""

    list_display = ("created_at", "reason", "proposals", "entries", "root", "timestamped")
    list_filter = ("reason",)
    readonly_fields = [f.name for f in Checkpoint._meta.fields]

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
