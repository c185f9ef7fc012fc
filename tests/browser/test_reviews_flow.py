"""The review stage in a real browser: a head evaluates a pilot that caused damage and decides to
reduce the responsibility of the cadres who followed the approved plan, a cadre downloads the
protection dossier and anyone verifies it; an organization board proposes to replicate a
succeeded pilot in two communes and the standing committee of the Party committee approves."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from proposals.models import Proposal, State
from reviews.dossier import code_from_pdf
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import MINUTES_PDF, evaluating, succeeded
from tests.factories.units import UnitFactory, grant
from units.models import Role, Unit

pytestmark = pytest.mark.browser


@pytest.fixture
def people(tree):
    agency, province = tree["agency"], tree["province"]
    commune2 = Unit.objects.get(pk=UnitFactory(code="P-C2", name="Xã Phù Cát", parent=province).pk)
    Unit.objects.filter(pk=tree["commune"].pk).update(name="Xã Tuy Phước")
    return {
        "tree": {**tree, "commune": Unit.objects.get(pk=tree["commune"].pk), "commune2": commune2},
        "head": grant(agency, Role.HEAD, full_name="Trần Văn Hùng"),
        "deputy": grant(agency, Role.DEPUTY, full_name="Lê Văn Cường"),
        "party": grant(agency, Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan"),
        "cadre": grant(agency, Role.CADRE, full_name="Nguyễn Thị Hương"),
        "orgboard": grant(province, Role.ORGANIZATION_BOARD, full_name="Lê Minh Tâm"),
        "standing": grant(province, Role.STANDING_COMMITTEE, full_name="Đinh Văn Vụ"),
        "outsider": grant(commune2, Role.CADRE, full_name="Võ Văn Nam"),
        "commune_head": grant(tree["commune"], Role.HEAD, full_name="Đặng Văn Bình"),
        "commune2_head": grant(commune2, Role.HEAD, full_name="Bùi Thị Mai"),
    }


def sign_out(page):
    page.context.clear_cookies()


def cast_ballot(page, outcome):
    vote = page.locator("#evaluation-vote")
    vote.get_by_label(outcome, exact=True).check()
    vote.get_by_role("button", name="Bỏ phiếu").click()
    expect(page.get_by_text("Đã ghi nhận phiếu của đồng chí về mức kết quả.")).to_be_visible()


def test_evaluation_with_damage_a_reduction_and_the_dossier_verified(login, people, tmp_path):
    proposal = ProposalFactory(
        home_unit=people["tree"]["agency"],
        created_by=people["cadre"],
        title="Thí điểm tiếp nhận hồ sơ đất đai trực tuyến",
    )
    proposal = evaluating(proposal, party=people["party"])

    # The collective (head and deputy, the author excluded) votes on the outcome; the ballots are
    # secret to the author while it is open.
    page = login(people["cadre"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    expect(page.locator("#evaluation-voting-under-way")).to_contain_text("Đang biểu quyết")
    expect(page.locator("#evaluation-vote form")).to_have_count(0)
    sign_out(page)
    page = login(people["deputy"].username, page=page)
    page.goto(f"/reviews/{proposal.pk}/")
    cast_ballot(page, "Gây thiệt hại")
    sign_out(page)

    page = login(people["head"].username, page=page)
    page.goto(f"/reviews/{proposal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(proposal.title)
    expect(page.get_by_text("Ý kiến của cấp ủy về kết quả")).to_be_visible()
    cast_ballot(page, "Gây thiệt hại")
    expect(page.locator("#evaluation-vote")).to_contain_text("Lê Văn Cường")

    page.get_by_role("region", name="Thao tác").get_by_role("link", name="Đánh giá kết quả").click()
    carried = "Tập thể đã biểu quyết thông qua mức kết quả “Gây thiệt hại”."
    expect(page.get_by_text(carried)).to_be_visible()
    page.locator("[name=outcome]").select_option("damage")
    page.get_by_label("Nguyên nhân khách quan").fill("Mưa lũ làm gián đoạn đường truyền.")
    page.get_by_label("Nguyên nhân chủ quan").fill("Tập huấn cán bộ một cửa chưa đủ.")
    page.get_by_label("Ngày họp đánh giá").fill(
        timezone.localdate(fresh(proposal).state_changed_at).isoformat()
    )
    minutes = tmp_path / "bien-ban-hop-danh-gia.pdf"
    minutes.write_bytes(MINUTES_PDF)
    page.get_by_label("Biên bản họp đánh giá kết quả").set_input_files(str(minutes))
    page.get_by_role("button", name="Đánh giá kết quả", exact=True).click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert fresh(proposal).state == State.RESPONSIBILITY_REVIEW

    page.goto(f"/reviews/{proposal.pk}/")
    expect(page.get_by_text("Gây thiệt hại").first).to_be_visible()
    expect(page.get_by_role("link", name="Biên bản họp đánh giá kết quả")).to_be_visible()
    actions = page.get_by_role("region", name="Thao tác")
    actions.get_by_role("link", name="Quyết định về trách nhiệm").click()
    page.locator("[name=decision]").select_option("reduced")
    for label in (
        "Thực hiện đúng kế hoạch được phê duyệt",
        "Động cơ trong sáng",
        "Vì lợi ích chung",
        "Không vụ lợi",
        "Gây thiệt hại",
    ):
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Thiệt hại (đồng)").fill("120000000")
    page.get_by_label("Lý do").fill("Làm đúng kế hoạch được duyệt; thiệt hại do thiên tai.")
    page.get_by_role("button", name="Quyết định về trách nhiệm").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert fresh(proposal).state == State.REDUCED

    sign_out(page)
    page = login(people["cadre"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    expect(page.get_by_text("120.000.000 đ")).to_be_visible()
    # The dossier is prepared by a worker (here at once: the tests' Celery is eager); the job's
    # page offers it. WeasyPrint takes its time on a loaded machine.
    page.get_by_role("button", name="Lập hồ sơ bảo vệ (PDF)").click()
    ready = page.locator("#export-status")
    expect(ready).to_contain_text("Tệp đã sẵn sàng.", timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        ready.get_by_role("link", name=re.compile("^Tải về ho-so-bao-ve-")).click()
    path = tmp_path / "ho-so-bao-ve.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "HỒ SƠ BẢO VỆ" in text and "Giảm nhẹ trách nhiệm" in text
    code = code_from_pdf(pdf)
    assert code

    sign_out(page)
    page = login(people["outsider"].username)  # anyone signed in may verify
    page.goto("/dossiers/verify/")
    page.get_by_label("Hoặc chính tệp hồ sơ (PDF)").set_input_files(str(path))
    page.get_by_role("button", name="Xác minh").click()
    # The file itself was checked: signature, bytes and chain — genuine.
    result = page.get_by_role("status").filter(has_text="Xác thực")
    expect(result).to_be_visible()
    expect(result).to_contain_text("đây chính là tệp KL14 đã cấp")
    expect(page.get_by_text(code).first).to_be_visible()

    page.get_by_label("Mã xác minh").fill(code.lower())
    page.get_by_role("button", name="Xác minh").click()
    expect(page.get_by_role("status").filter(has_text="Vẫn hợp lệ")).to_be_visible()


def test_an_organization_board_replicates_a_succeeded_pilot_to_two_communes(login, people):
    """The board proposes (nothing is replicated yet), the standing committee approves, the
    directive is visible: the adoptions, the official document, the commune's proposal."""
    source = ProposalFactory(
        home_unit=people["tree"]["agency"],
        created_by=people["cadre"],
        title="Mô hình một cửa số cấp sở",
    )
    source = succeeded(source, head=people["head"], party=people["party"])

    page = login(people["orgboard"].username)
    page.goto(f"/reviews/{source.pk}/")
    actions = page.get_by_role("region", name="Thao tác")
    actions.get_by_role("link", name="Đề nghị nhân rộng").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhân rộng mô hình")
    # One form only: the board's request to the competent authority.
    expect(page.get_by_role("button", name="Chỉ đạo nhân rộng")).to_have_count(0)
    page.get_by_label("Xã Tuy Phước").check()
    page.get_by_label("Xã Phù Cát").check()
    page.get_by_label("Căn cứ đề nghị").fill("Hai xã có điều kiện tương tự, đã sẵn sàng.")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text("Đã gửi đề nghị lên cấp có thẩm quyền")).to_be_visible()
    assert fresh(source).state == State.SUCCEEDED
    assert not Proposal.objects.filter(origin=source).exists()

    sign_out(page)
    page = login(people["standing"].username)
    page.goto("/reviews/requests/")
    page.get_by_role("link", name=re.compile("Xã Tuy Phước")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đề nghị nhân rộng mô hình")
    page.get_by_label("Chấp thuận", exact=True).check()
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_text("Đã quyết định")).to_be_visible()
    assert fresh(source).state == State.REPLICATED

    page.goto(f"/reviews/{source.pk}/replication/")
    table = page.get_by_role("table")
    for name in ("Xã Tuy Phước", "Xã Phù Cát"):
        row = table.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("Đã phê duyệt")
    adoptions = Proposal.objects.filter(origin=source)
    assert {a.home_unit.name for a in adoptions} == {"Xã Tuy Phước", "Xã Phù Cát"}
    assert source.official_documents.filter(kind="replication").exists()

    sign_out(page)
    page = login(people["commune_head"].username)
    adoption = adoptions.get(home_unit__name="Xã Tuy Phước")
    page.goto(f"/reviews/{adoption.pk}/")
    expect(page.get_by_text(f"Nhân rộng từ {source.code}")).to_be_visible()
