import factory
from django.utils import timezone

from notifications.models import Notification, NotificationPreference

from .units import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.INFO
    title = factory.Sequence(lambda n: f"Thông báo {n}")
    body = "Nội dung thông báo."
    url = "/"
    created_at = factory.LazyFunction(timezone.now)


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    email = NotificationPreference.Email.DIGEST
