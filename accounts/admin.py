from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from units.selectors import units_user_administers, users_administered_by

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Superusers manage everyone; a unit admin, the people of their subtree and new accounts."""

    list_display = ("username", "full_name", "email", "is_active")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "language")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "language", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return users_administered_by(request.user).order_by("username")

    # The groups as a plain list with its label: Django's two-box widget (filter_horizontal) marks
    # its search icons up with an ARIA label on a bare <span> (axe's aria-prohibited-attr).
    filter_horizontal = ()

    def get_readonly_fields(self, request, obj=None):
        # When the person last signed in and joined are the system's records, never typed in (their
        # split date and time boxes had no labels either: axe's label).
        recorded = ("last_login", "date_joined")
        if request.user.is_superuser:
            return recorded
        return ("is_staff", "is_superuser", "groups", *recorded)

    def has_module_permission(self, request):
        return request.user.is_superuser or units_user_administers(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
