"""Every notification a proposal's life sends opens, for its recipient, the page it names: through
/notifications/<id>/ to a page that answers 200 (notifications.targets). The crawl of make run
found a recognition notice sent to the recognised cadre with a link to the organization boards'
list of recognitions (403), and escalations to heads who may not see the item (404)."""

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from pilots import services as pilots
from tests.factories.proposals import fresh
from tests.factories.reviews import FINALS, recognised

from .life import S, cadre_draft, drive

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
    pilots.report_file(
        proposal=fresh(proposal), actor=org.cadre, narrative="Tháng 1.", kpi_values=FINALS
    )
    pilots.inspection_record(
        proposal=fresh(proposal),
        actor=org.p_inspector,
        date=timezone.localdate(),
        findings="Đúng kế hoạch.",
        assessment="good",
    )
    adjustment = pilots.adjustment_request(
        proposal=fresh(proposal),
        actor=org.cadre,
        reasons="Thêm máy.",
        changes={"equipment": "2 máy chủ."},
    )
    pilots.adjustment_approve(adjustment=adjustment, actor=org.head, reasons="Đồng ý.")
    pilots.pilot_suspend(proposal=fresh(proposal), actor=org.head, reason="Rà soát.")
    pilots.pilot_resume(proposal=fresh(proposal), actor=org.head)
    assert_every_link_opens()
