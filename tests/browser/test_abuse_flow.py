"""An abuse case in a real browser (issue 11, point 1): the agency's inspector refers a succeeded
pilot, its author explains on the case's page, the province's inspector records a founded
finding and the page says the protection is revoked."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import State
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import succeeded
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def people(tree):
    agency, province = tree["agency"], tree["province"]
    return {
        "agency": agency,
        "head": grant(agency, Role.HEAD, full_name="Trần Văn Hùng"),
        "party": grant(agency, Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan"),
        "cadre": grant(agency, Role.CADRE, full_name="Nguyễn Thị Hương"),
        "agency_inspector": grant(agency, Role.INSPECTOR, full_name="Lý Văn Kiểm"),
        "inspector": grant(province, Role.INSPECTOR, full_name="Hồ Thị Tra"),
    }


def submit(page, proposal, name):
    action = f"/proposals/{proposal.pk}/actions/{name}/"
    page.locator(f'form[action="{action}"] button[type=submit]').click()


def sign_out(page):
    page.context.clear_cookies()


def test_a_referral_is_heard_explained_and_found(login, people):
    proposal = ProposalFactory(
        home_unit=people["agency"], created_by=people["cadre"], title="Thí điểm chợ số"
    )
    proposal = succeeded(proposal, head=people["head"], party=people["party"])

    page = login(people["agency_inspector"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    page.locator(f'a[href="/proposals/{proposal.pk}/actions/refer_abuse/"]').first.click()
    page.locator("[name=grounds]").fill("Nghị định 73, Điều 6: trục lợi.")
    page.locator("[name=evidence]").fill("Đơn phản ánh của tiểu thương.")
    page.locator("[name=confirmed]").check()
    submit(page, proposal, "refer_abuse")
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert fresh(proposal).state == State.ABUSE_REVIEW

    sign_out(page)
    page = login(people["cadre"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    page.get_by_role("link", name="Vụ việc xem xét dấu hiệu lợi dụng").click()
    expect(page.get_by_text("Đơn phản ánh của tiểu thương.")).to_be_visible()
    page.get_by_label("Nội dung giải trình").fill("Tôi làm đúng kế hoạch được duyệt.")
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(page.get_by_text("Đã ghi nhận giải trình của bạn.")).to_be_visible()
    expect(page.get_by_text("Tôi làm đúng kế hoạch được duyệt.")).to_be_visible()

    sign_out(page)
    page = login(people["inspector"].username)
    page.goto(f"/reviews/{proposal.pk}/abuse/")
    page.locator(f'a[href="/proposals/{proposal.pk}/actions/conclude_abuse/"]').click()
    page.locator("[name=finding]").select_option("founded")
    page.locator("[name=conclusion]").fill("Có căn cứ kết luận trục lợi.")
    page.locator("[name=confirmed]").check()
    submit(page, proposal, "conclude_abuse")
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert fresh(proposal).state == State.REFERRED
    page.goto(f"/reviews/{proposal.pk}/abuse/")
    expect(page.locator("#abuse-status")).to_contain_text("không còn được xem xét bảo vệ")
    expect(page.get_by_text("Có căn cứ kết luận trục lợi.")).to_be_visible()
