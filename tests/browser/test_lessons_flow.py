"""The lessons library searched in a real browser (issue 12, kl14.search): a cadre of another
unit opens the library from the menu, types words without their diacritics into the visible
search box and finds the lessons holding them. On PostgreSQL the lesson holding the words as
typed, one after another, comes first though the others are newer; elsewhere (no ranking) the
newest comes first."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from reviews import services
from tests.factories.proposals import ProposalFactory
from tests.factories.reviews import succeeded
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def test_a_cadre_finds_lessons_by_words_typed_without_diacritics(login, tree):
    head = grant(tree["agency"], Role.HEAD, full_name="Trần Văn Hùng")
    party = grant(tree["agency"], Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan")
    cadre = grant(tree["agency"], Role.CADRE, full_name="Nguyễn Thị Hương")
    reader = grant(tree["commune"], Role.CADRE, full_name="Võ Văn Nam")
    titles = (  # published in this order: the last is the newest
        ("Số hóa hồ sơ đất đai của xã", "Chuẩn hóa dữ liệu địa chính trước."),
        ("Cấp đai an toàn cho người làm trên đất dốc", "Tập huấn trước mùa mưa."),
        ("Đặt lịch khám bệnh trực tuyến", "Hướng dẫn người cao tuổi."),
    )
    for title, lessons in titles:
        proposal = ProposalFactory(home_unit=tree["agency"], created_by=cadre, title=title)
        proposal = succeeded(proposal, head=head, party=party)
        services.lesson_publish(proposal=proposal, actor=head, lessons=lessons)

    page = login(reader.username)
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name=re.compile("^Đánh giá")).click()
    nav.get_by_role("link", name=re.compile("Bài học kinh nghiệm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thư viện bài học kinh nghiệm")

    page.get_by_label("Tìm kiếm").fill("dat dai")
    page.get_by_role("button", name="Tìm kiếm").click()
    # Every lesson holding both words, as syllables anywhere ("đặt lịch … kéo dài" too).
    expect(page.get_by_text("3 bài học")).to_be_visible()
    found = page.locator("main article h2").all_inner_texts()
    newest_first = [title for title, _lessons in reversed(titles)]
    if connection.vendor == "postgresql":
        assert found[0] == "Số hóa hồ sơ đất đai của xã"  # the words as typed
        assert sorted(found) == sorted(newest_first)
    else:
        assert found == newest_first
    expect(page.get_by_label("Tìm kiếm")).to_have_value("dat dai")

    # The lesson opens from its title.
    page.get_by_role("link", name="Số hóa hồ sơ đất đai của xã").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Số hóa hồ sơ đất đai của xã")
    expect(page.get_by_text("Chuẩn hóa dữ liệu địa chính trước.")).to_be_visible()
