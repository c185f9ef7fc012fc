from django.contrib import admin

from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read-only: what was issued stays as it was issued."""

    list_display = ("issued_at", "kind", "reference", "proposal", "chain_seq", "issued_by")
    list_filter = ("kind",)
    search_fields = ("sha256", "reference", "proposal__code")
    list_select_related = ("proposal", "issued_by")
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

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
