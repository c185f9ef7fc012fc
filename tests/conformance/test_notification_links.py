"""Every notification a proposal's life sends opens, for its recipient, the page it names: through
/notifications/<id>/ to a page that answers 200 (notifications.targets). The crawl of make run
found a recognition notice sent to the recognised cadre with a link to the organization boards'
list of recognitions (403), and escalations to heads who may not see the item (404)."""

import pytest
from django.test import Client

from notifications.models import Notification
from tests.factories.reviews import recognised

from .life import S, cadre_draft, drive, pilot_activity

pytestmark = pytest.mark.django_db

ENDS = [
    S.WITHDRAWN,
    S.RETURNED,
    S.REJECTED,
    S.SUSPENDED,
    S.HELD_RESPONSIBLE,
    S.RESPONSIBILITY_DECIDED,
    S.REFERRED,
    S.REPLICATED,
    S.INSTITUTIONALIZED,
]


def assert_every_link_opens():
    notifications = list(Notification.objects.exclude(url="").select_related("recipient"))
    assert notifications
    refused = []
    for notification in notifications:
        client = Client()
        client.force_login(notification.recipient)
        response = client.get(f"/notifications/{notification.pk}/")
        if response.status_code != 302:
            refused.append((notification.event, notification.recipient.username, notification.url))
            continue
        status = client.get(response.url).status_code
        if status != 200:
            refused.append((notification.event, notification.recipient.username, status))
    assert refused == []


@pytest.mark.parametrize("end", ENDS)
def test_every_notification_of_a_life_opens(org, end):
    drive(org, cadre_draft(org), end)
    assert_every_link_opens()


def test_the_recognised_open_their_recognition(org):
    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    recognised(proposal, board=org.a_board, recipients=[org.cadre])
    notice = Notification.objects.get(recipient=org.cadre, event="recognition.1")
    assert notice.url == f"/reviews/{proposal.pk}/#recognition"
    assert_every_link_opens()


def test_every_notification_of_a_pilot_opens(org):
    proposal = drive(org, cadre_draft(org), S.IN_PROGRESS)
    pilot_activity(proposal, author=org.cadre, inspector=org.p_inspector, head=org.head)
    assert_every_link_opens()
