from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KL14Config(AppConfig):
    default = True
    name = "kl14"
    verbose_name = "KL14"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks, navigation, search  # noqa: F401 (checks registers itself)

        navigation.register_defaults()
        connection_created.connect(search.register_sqlite_fold)


class KL14AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kl14.admin_site.KL14AdminSite"
