from django.conf import settings
from django.db import transaction

from .models import User


def user_create(*, username, full_name, email="", password=None, language=None) -> User:
    user = User(username=username, full_name=full_name, email=email)
    if language:
        user.language = language
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


user_create.alters_data = True


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


user_set_language.alters_data = True
