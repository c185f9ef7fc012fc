from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership, PastMembership, Unit
from .permissions import can_administer_any_unit, can_manage_unit
from .selectors import units_user_administers, users_administered_by


class UnitForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("parent unit")
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "kind"]


class ScopedAdmin(admin.ModelAdmin):
    """Visible and editable only inside the subtree where the user is an `admin` member."""

    def has_module_permission(self, request):
        return can_administer_any_unit(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return can_administer_any_unit(request.user)
        return can_manage_unit(request.user, self.unit_of(obj))

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request):
        return can_administer_any_unit(request.user)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    form = UnitForm
    list_display = ("indented_name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return ("— " * (obj.depth - 1)) + obj.name

    def unit_of(self, obj):
        return obj

    def get_queryset(self, request):
        return units_user_administers(request.user, include_descendants=True).order_by("path")

    def has_delete_permission(self, request, obj=None):
        # Units hold proposals and the ledger: they are never deleted, only renamed or moved.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        parents = units_user_administers(request.user, include_descendants=True)
        if obj is not None:
            parents = parents.exclude(path__startswith=obj.path)
        form.base_fields["parent"].queryset = parents.order_by("path")
        form.base_fields["parent"].required = not request.user.is_superuser
        if obj is not None:
            form.base_fields["parent"].initial = Unit.objects.filter(path=obj.parent_path).first()
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {"code": data["code"], "name": data["name"], "kind": data["kind"]}
        if change:
            saved = services.unit_update(
                unit=Unit.objects.get(pk=obj.pk),
                actor=request.user,
                parent=data.get("parent"),
                **fields,
            )
        else:
            saved = services.unit_create(parent=data.get("parent"), actor=request.user, **fields)
        obj.pk = saved.pk


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "role", "unit", "title")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user",)

    def unit_of(self, obj):
        return obj.unit

    def get_queryset(self, request):
        units = units_user_administers(request.user, include_descendants=True)
        return super().get_queryset(request).filter(unit__in=units)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_administered_by(request.user)
        if db_field.name == "unit":
            kwargs["queryset"] = units_user_administers(
                request.user, include_descendants=True
            ).order_by("path")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            before = Membership.objects.get(pk=obj.pk)
            same = (before.user_id, before.unit_id, before.role) == (
                obj.user_id,
                obj.unit_id,
                obj.role,
            )
            if same:
                services.membership_update(
                    membership=before,
                    title=obj.title,
                    started_on=obj.started_on,
                    actor=request.user,
                )
                return
            # Another person, unit or role: the old membership ends (kept in history).
            services.membership_end(membership=before, actor=request.user)
        saved = services.membership_grant(
            user=obj.user,
            unit=obj.unit,
            role=obj.role,
            title=obj.title,
            started_on=obj.started_on,
            actor=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(membership=membership, actor=request.user)


@admin.register(PastMembership)
class PastMembershipAdmin(ScopedAdmin):
    """The history of memberships: read only (it is written when a membership ends)."""

    list_display = ("user", "role", "unit", "title", "started_on", "ended_on", "reason")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    list_select_related = ("user", "unit")

    def unit_of(self, obj):
        return obj.unit

    def get_queryset(self, request):
        units = units_user_administers(request.user, include_descendants=True)
        return super().get_queryset(request).filter(unit__in=units)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
