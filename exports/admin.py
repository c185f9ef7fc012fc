from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read only: jobs are asked for by their requesters and built by the workers; `last_error`
    says what went wrong with one that failed or waits for a retry."""

    list_display = (
        "title",
        "requested_by",
        "kind",
        "status",
        "progress",
        "attempts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("title", "requested_by__username")
    list_select_related = ("requested_by",)
    exclude = ("claim",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the hourly purge deletes expired jobs with their files
