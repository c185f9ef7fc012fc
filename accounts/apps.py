from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # django-otp's own device pages in the admin are not offered: a second factor is reset on
        # the app's page (accounts.two_factor_views.policy), and theirs would show anyone's secret
        # key as a QR code to the superuser, untranslated. The admin's autodiscovery has run (its
        # app is the first one installed).
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import schema  # noqa: F401 (registers the token scheme with drf-spectacular)

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
