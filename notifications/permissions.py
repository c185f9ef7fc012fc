"""A notification is its recipient's alone; a review report is for those who oversee the unit."""

from kl14.errors import NotFound
from units.models import SUBTREE_ROLES
from units.roles import user_roles

from .models import Notification, PeriodicReview


def access_notification(user, pk) -> Notification:
    """The user's own notification; anyone else's answers 404."""
    try:
        return Notification.objects.get(pk=pk, recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_view_review(user, review: PeriodicReview) -> bool:
    return user.is_superuser or user_roles(user).has_over(review.unit, *SUBTREE_ROLES)


def access_review(user, pk) -> PeriodicReview:
    review = PeriodicReview.objects.select_related("unit").filter(pk=pk).first()
    if review is None or not can_view_review(user, review):
        raise NotFound()
    return review
