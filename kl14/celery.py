from celery import Celery

from .brokerfs import register as register_file_broker

register_file_broker()  # the kl14fs:// scheme of `make run`'s broker without Redis

# DJANGO_SETTINGS_MODULE comes from the process that loads this (manage.py, wsgi/asgi, the worker's
# environment): a default here would win over wsgi's production default, since kl14/__init__.py
# imports this module first.
app = Celery("kl14")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
