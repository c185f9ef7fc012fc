"""Local development: embedded defaults, nothing to configure."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
WHITENOISE_AUTOREFRESH = True
