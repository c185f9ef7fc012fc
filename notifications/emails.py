"""The e-mails: rendered in the recipient's language, plain text with an HTML alternative."""

import posixpath

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return settings.KL14_SITE_URL.rstrip("/") + url


def _message(user, subject, template, context) -> EmailMultiAlternatives:
    context = {
        **context,
        "user": user,
        "centre_url": absolute(reverse("notifications:list")),
        "preferences_url": absolute(reverse("notifications:list")) + "#preferences",
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(f"[KL14] {subject}".split()),  # one line, whatever the title holds
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def link(notification) -> str:
    """The e-mail's link: the notification's own address, which marks it read and goes on to its
    page, or shows it where that page is not the recipient's to see (notifications.targets)."""
    if not notification.url:
        return ""
    return absolute(reverse("notifications:open", args=[notification.pk]))


def notification_email(notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(user.language):
        message = _message(
            user,
            notification.title,
            "notification",
            {"notification": notification, "url": link(notification)},
        )
    _attach_reports(message, [notification])
    return message


def _attach_reports(message, notifications):
    """The periodic reviews' spreadsheets, read from storage when the e-mail is sent."""
    for review in {n.review_id: n.review for n in notifications if n.review_id}.values():
        if review.report:
            with review.report.open("rb") as report:
                message.attach(posixpath.basename(review.report.name), report.read(), XLSX)


def digest_email(user, notifications, *, day) -> EmailMultiAlternatives:
    with translation.override(user.language):
        subject = _("Your KL14 notifications of %(day)s") % {
            "day": date_format(day, "SHORT_DATE_FORMAT")
        }
        items = [(n, link(n)) for n in notifications]
        message = _message(user, subject, "digest", {"items": items, "day": day})
    _attach_reports(message, notifications)
    return message
