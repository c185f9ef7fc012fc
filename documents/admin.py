from django.contrib import admin

from .models import OfficialDocument, Register


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(admin.ModelAdmin):
    """Read only: documents are issued by decisions, never written by hand."""

    list_display = ("__str__", "proposal", "kind", "unit", "issued_on", "status", "attempts")
    list_filter = ("status", "doc_type", "kind")
    search_fields = ("proposal__code", "symbol")
    list_select_related = ("proposal", "unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    list_display = ("unit", "year", "last_number")
    list_select_related = ("unit",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
