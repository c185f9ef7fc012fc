"""Heavy exports in a real browser (issue 12): the organization board clicks the dashboard's
button while the broker is down; the job's page says it waits; once a worker takes it, the page
(polling with htmx) shows its progress, then the download, and the file is the one recorded."""

import dataclasses
import hashlib
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from exports import kinds, tasks
from exports.models import ExportJob
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def test_the_period_report_is_prepared_with_its_progress_then_downloaded(
    login, tree, monkeypatch, tmp_path, live_server
):
    board = grant(tree["province"], Role.ORGANIZATION_BOARD, full_name="Lê Minh Tâm")
    page = login(board.username)
    page.goto("/dashboard/")

    with monkeypatch.context() as broker_down:

        def refused(*args, **kwargs):
            raise ConnectionError("broker down")

        broker_down.setattr(tasks.build_export, "apply_async", refused)
        page.get_by_role("button", name="Báo cáo sơ kết, tổng kết (.xlsx)").click()
        page.wait_for_url(re.compile(r"/exports/\d+/$"))
        status = page.locator("#export-status")
        expect(status.get_by_role("status")).to_contain_text("Đang chờ đến lượt chuẩn bị tệp")
        expect(status.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED

    # The broker is back: beat's sweep hands the job to a worker (here, this thread), and the
    # page, polling, shows how far the worker got while it works.
    real = kinds.get("period_report")

    def observed_build(job, progress):
        def report(percent):
            progress(percent)
            if percent == 50:
                expect(status.get_by_role("progressbar")).to_have_attribute(
                    "aria-valuenow", "50", timeout=10_000
                )
                expect(status.get_by_role("status")).to_contain_text("Đang chuẩn bị tệp")

        return real.build(job, report)

    monkeypatch.setitem(
        kinds._registry, "period_report", dataclasses.replace(real, build=observed_build)
    )
    assert tasks.dispatch_due() == 1

    expect(status).to_contain_text("Tệp đã sẵn sàng.")
    expect(status.get_by_role("progressbar")).to_have_count(0)  # the polling stopped
    job.refresh_from_db()
    link = status.get_by_role("link", name=f"Tải về {job.filename}")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == job.filename == "toan-bo-P.xlsx"
    path = tmp_path / job.filename
    download.value.save_as(path)
    content = path.read_bytes()
    assert hashlib.sha256(content).hexdigest() == job.sha256
    assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Tổng hợp"

    # The list of the board's exports has it.
    page.goto("/exports/")
    expect(page.get_by_role("link", name=job.title)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=job.title)).to_contain_text("Đã sẵn sàng")
