"""Two-factor sign-in (django-otp): a TOTP authenticator app, with single-use recovery codes.

A root admin chooses the roles that must use it (TwoFactorPolicy); anyone may turn it on for
themselves. Whoever has a confirmed device, or holds a required role, is sent after signing in
(with a password or single sign-on) to enter a code before anything else (decided at sign-in,
accounts/middleware.py: a policy change applies from each person's next sign-in); the API's
token endpoint asks for the code too, so a token never skips it.
"""

import base64

from django.core.cache import cache
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from units.models import Role, Unit
from units.roles import user_roles

from .models import TwoFactorPolicy

POLICY_CACHE_KEY = "kl14:two-factor-policy"
RECOVERY_CODES = 10
# The roles a root admin may require it for: those that decide or administer.
REQUIRABLE_ROLES = (
    Role.HEAD,
    Role.DEPUTY,
    Role.PARTY_COMMITTEE,
    Role.STANDING_COMMITTEE,
    Role.ORGANIZATION_BOARD,
    Role.ADMIN,
)


def policy_roles() -> tuple[str, ...]:
    roles = cache.get(POLICY_CACHE_KEY)
    if roles is None:
        policy = TwoFactorPolicy.objects.filter(pk=1).first()
        roles = tuple(policy.required_roles) if policy else ()
        cache.set(POLICY_CACHE_KEY, roles, 300)
    return roles


def is_required(user) -> bool:
    roles = set(policy_roles())
    if not roles:
        return False
    if user.is_superuser and Role.ADMIN in roles:
        return True
    return bool(roles & user_roles(user).roles())


def has_device(user) -> bool:
    """Whether the person has a confirmed authenticator."""
    return user_has_device(user)


def needs_second_factor(user) -> bool:
    """Must this signed-in person enter a code (they set one up, or their role requires it)?"""
    return is_required(user) or has_device(user)


def can_set_policy(user) -> bool:
    """Superusers and the administrators of a root unit."""
    if user.is_superuser:
        return True
    return any(
        g.role == Role.ADMIN and len(g.unit_path) == Unit.steplen for g in user_roles(user).grants
    )


@transaction.atomic
def policy_set(*, actor, roles) -> TwoFactorPolicy:
    from kl14.errors import Forbidden, Invalid

    if not can_set_policy(actor):
        raise Forbidden()
    unknown = set(roles) - set(REQUIRABLE_ROLES)
    if unknown:
        raise Invalid(errors={"roles": [", ".join(sorted(unknown))]})
    policy, _created = TwoFactorPolicy.objects.select_for_update().get_or_create(pk=1)
    policy.required_roles = [r for r in REQUIRABLE_ROLES if r in roles]
    policy.updated_by = actor
    policy.save()
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))  # a read meanwhile cached it
    return policy


policy_set.alters_data = True


def pending_totp(user) -> TOTPDevice:
    """The authenticator being set up (unconfirmed), made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the authenticator with a first code; answers the new recovery codes (shown
    once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(code.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator a person
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_renew(user=user)


totp_confirm.alters_data = True


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


recovery_codes_renew.alters_data = True


def verify(user, code: str):
    """The device that accepts this code (an authenticator code, or a recovery code, which is
    then used up), or None. django-otp slows down repeated failures per device."""
    code = (code or "").replace(" ", "").strip()
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            verify_allowed, _info = device.verify_is_allowed()
            if verify_allowed and device.verify_token(code):
                return device
    return None


@transaction.atomic
def two_factor_reset(*, user) -> None:
    """Removes a person's authenticator and recovery codes (a lost phone); they set it up again
    at their next sign-in when their role requires it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


two_factor_reset.alters_data = True


def token_second_factor_check(user, code) -> None:
    """For the API's token endpoint: raises unless `user` needs no second factor or `code` is
    one (400 with a field error; 403 when their role requires one they have not set up)."""
    from django.utils.translation import gettext as _
    from rest_framework.exceptions import PermissionDenied, ValidationError

    if not needs_second_factor(user):
        return
    if not has_device(user):
        raise PermissionDenied(
            _("Your role requires two-factor sign-in: set it up in the web app first."),
            code="second_factor_required",
        )
    if verify(user, str(code or "")) is None:
        raise ValidationError(
            {"otp": [_("Enter the code of your authenticator app (or a recovery code).")]},
            code="second_factor_required",
        )
