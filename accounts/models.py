from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class User(AbstractUser):
    """A person who signs in. Vietnamese names are kept whole (family name first)."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The number the organization board keeps for each cadre (số hiệu cán bộ, công chức): the key
    # of spreadsheet imports and, when configured, of single sign-on.
    staff_code = models.CharField(
        _("staff code"), max_length=32, unique=True, null=True, blank=True, default=None
    )
    # The `sub` of the person at the single sign-on provider, recorded at their first SSO sign-in:
    # later sign-ins are matched by it, whatever their e-mail address becomes.
    sso_subject = models.CharField(
        _("single sign-on subject"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        default=None,
        editable=False,
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password here until the save: then every API token
        # of the account stops working (sessions stop by Django's session hash).
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def __str__(self):
        return self.get_full_name()


class TwoFactorPolicy(models.Model):
    """Which roles must sign in with a second factor (one row, set by a root admin)."""

    required_roles = models.JSONField(_("roles that need a second factor"), default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("two-factor policy")
        verbose_name_plural = _("two-factor policy")

    def __str__(self):
        return ", ".join(self.required_roles) or "-"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox: only its hash is stored; it expires). One per client of a
    user: a new sign-in of the same client replaces it; the user lists and revokes them on their
    profile; a password change revokes them all."""

    client = models.CharField(_("client"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_api_token_per_client")
        ]


class PasswordResetRequest(models.Model):
    """One request of a password-reset e-mail, kept to limit them per client address and per
    account (in the database: the limit holds while Redis is down). The account is the hash of
    the address typed, whether or not an account has it, so the limit reveals nothing."""

    address = models.CharField(_("client address"), max_length=64, db_index=True)
    account = models.CharField(_("account (hash of the e-mail address)"), max_length=64)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self):
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"
