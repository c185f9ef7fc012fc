from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KL14Config(AppConfig):
    default = True
    name = "kl14"
    verbose_name = "KL14"

    def ready(self):
        from . import navigation

        navigation.register_defaults()


class KL14AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kl14.admin_site.KL14AdminSite"
