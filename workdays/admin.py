from django.contrib import admin

from . import services
from .models import CalendarException
from .permissions import can_manage_calendar


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    """Province-wide: only superusers and the admins of a root unit see or change it."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("date",)

    def has_module_permission(self, request):
        return can_manage_calendar(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_calendar(request.user)

    has_add_permission = has_module_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def save_model(self, request, obj, form, change):
        fields = {
            "day": form.cleaned_data["date"],
            "kind": form.cleaned_data["kind"],
            "name": form.cleaned_data["name"],
        }
        if change:
            saved = services.calendar_exception_update(
                exception=CalendarException.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        else:
            saved = services.calendar_exception_create(actor=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.calendar_exception_delete(exception=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for exception in queryset:
            services.calendar_exception_delete(exception=exception, actor=request.user)
