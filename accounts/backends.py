from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from units.roles import with_grants


def load_user(user_id):
    """The signed-in user of a session, with their memberships in the same query
    (units.roles.with_grants): the one read of them a request makes. None if the row is gone."""
    return with_grants(get_user_model()._default_manager.filter(pk=user_id)).first()


class PasswordBackend(ModelBackend):
    """Passwords, as Django's own backend, except for people who sign in through single sign-on
    when KL14_OIDC_LOCAL_PASSWORDS is off (superusers keep theirs: the way in when the provider
    is down)."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        return not password_login_disabled(user)


def password_login_disabled(user) -> bool:
    return bool(
        not settings.KL14_OIDC_LOCAL_PASSWORDS
        and settings.KL14_OIDC_ISSUER
        and getattr(user, "sso_subject", None)
        and not user.is_superuser
    )
