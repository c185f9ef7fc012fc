import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kl14.settings.local")

app = Celery("kl14")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
