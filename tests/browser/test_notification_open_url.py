"""The notifications API's `open_url`, followed where a person follows it: a client (a mobile app,
a mail client) reads the list with an API token over a real server and opens each notification's
`open_url` in the browser, where the person is signed in. It marks the notification read and
lands on the page, or, where that page is not among what the person may see (a proposal
escalated above their unit), shows the notification with why; the raw `url` of that one answers
404. Before, only Django's test client had followed it."""

import pytest
import requests
from playwright.sync_api import expect

from notifications.models import Notification
from tests.factories.notifications import NotificationFactory
from tests.factories.proposals import ProposalFactory
from tests.factories.units import api_token, grant
from units.models import Role

pytestmark = pytest.mark.browser


def api_list(live_server, token) -> dict:
    response = requests.get(
        f"{live_server.url}/api/v1/notifications/",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200
    return {row["id"]: row for row in response.json()["results"]}


def test_open_url_from_the_api_lands_where_the_person_acts(login, live_server, tree):
    cadre = grant(tree["agency"], Role.CADRE, username="canbo", full_name="Trần Thị Bình")
    own = ProposalFactory(home_unit=tree["agency"], created_by=cadre, title="Số hóa hồ sơ một cửa")
    elsewhere = ProposalFactory(
        home_unit=tree["commune"], created_by=grant(tree["commune"], Role.CADRE), title="Khác"
    )
    reachable = NotificationFactory(
        recipient=cadre, title="Đề xuất của bạn cần bổ sung", url=own.get_absolute_url()
    )
    escalated = NotificationFactory(
        recipient=cadre,
        title="Đề xuất đã được chuyển lên cấp trên",
        url=elsewhere.get_absolute_url(),
    )
    rows = api_list(live_server, api_token(cadre))
    assert rows[reachable.pk]["open_url"].startswith(live_server.url)
    assert rows[reachable.pk]["read"] is False

    page = login("canbo")
    badge = page.locator("#main-nav .badge").first
    expect(badge).to_contain_text("2")

    page.goto(rows[reachable.pk]["open_url"])
    page.wait_for_url(f"{live_server.url}{own.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Số hóa hồ sơ một cửa")
    expect(badge).to_contain_text("1")

    page.goto(rows[escalated.pk]["open_url"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề xuất đã được chuyển lên cấp trên")
    expect(page.get_by_role("note")).to_contain_text("không thuộc phạm vi đồng chí được xem")
    expect(page.locator("#main-nav .badge")).to_have_count(0)
    page.get_by_role("link", name="Quay lại danh sách thông báo").click()
    page.wait_for_url(f"{live_server.url}/notifications/")

    assert not Notification.objects.filter(recipient=cadre, read_at__isnull=True).exists()
    response = page.goto(rows[escalated.pk]["url"])
    assert response.status == 404
