from django.utils import timezone

from .models import ApiToken


def tokens_of(user):
    """The user's API tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
