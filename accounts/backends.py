from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Passwords, as Django's own backend, except for people who sign in through single sign-on
    when KL14_OIDC_LOCAL_PASSWORDS is off (superusers keep theirs: the way in when the provider
    is down)."""

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
