"""The organization board's dashboard and period report: the figures (aggregated in the database),
who may see them, the spreadsheet and the PDF, and a fixed number of queries whatever the rows."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from exports.models import ExportJob
from proposals import services as proposal_services
from proposals.models import ProposalAuthor
from reviews.reports import period_report, period_report_pdf, period_report_xlsx
from reviews.stats import Period, dashboard
from tests.exports.flows import api_file, exported
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
    in_state,
)
from tests.factories.reviews import decided, recognised, replicated, succeeded
from tests.reviews.test_dossier import text_of

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=7))
# Monday 2 March 2026: a decision is due 7 working days later, on Wednesday 11 March.
MONDAY = datetime.datetime(2026, 3, 2, 9, tzinfo=TZ)


def at(moment):
    return time_machine.travel(moment, tick=False)


def decide(org, *, submitted, decided_at, approve=True, unit=None):
    """A proposal of the agency submitted and decided at the given moments, by the services."""
    proposal = ProposalFactory(home_unit=unit or org.agency, created_by=org.cadre)
    with at(submitted):
        proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    with at(decided_at):
        proposal_services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
        if approve:
            proposal_services.opinion_record(
                proposal=fresh(proposal),
                actor=org.party,
                stage="decision",
                stance="agree",
                text="Đồng ý.",
                **committee_reference(),
            )
            for voter in (org.head, org.deputy):
                proposal_services.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
            proposal_services.proposal_approve(
                proposal=fresh(proposal), actor=org.head, mode="pilot", **CONDITIONS_MET
            )
        else:
            proposal_services.proposal_reject(
                proposal=fresh(proposal), actor=org.head, reasons="Chưa đủ cơ sở."
            )
    return fresh(proposal)


@pytest.fixture
def figures(org):
    """Q1 2026: one decision on time, one late, one rejection on time; one submission still
    waiting past its deadline; Q2: a success (recognised, replicated) and a protection decision."""
    decide(org, submitted=MONDAY, decided_at=MONDAY + datetime.timedelta(days=3))
    decide(org, submitted=MONDAY, decided_at=MONDAY + datetime.timedelta(days=15))
    decide(org, submitted=MONDAY, decided_at=MONDAY + datetime.timedelta(days=9), approve=False)
    waiting = ProposalFactory(home_unit=org.office, created_by=grant_office_cadre(org))
    with at(MONDAY):
        proposal_services.proposal_submit(proposal=waiting, actor=waiting.created_by)
    with at(datetime.datetime(2026, 4, 15, 9, tzinfo=TZ)):
        success = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        ProposalAuthor.objects.create(proposal=success, user=org.cadre2)
        success = succeeded(success, head=org.head, party=org.party)
        recognised(success, board=org.orgboard, kind="praise")
        replicated(success, board=org.orgboard, target_units=[org.commune.pk])
        decided(
            ProposalFactory(home_unit=org.agency, created_by=org.cadre),
            head=org.head,
            party=org.party,
        )
    return org


def grant_office_cadre(org):
    from tests.factories.units import grant
    from units.models import Role

    return grant(org.office, Role.CADRE, username="office_cadre")


class TestFigures:
    def test_all_time(self, figures):
        d = dashboard(figures.province)
        assert (d.decided, d.approved, d.approval_rate) == (3, 2, 67)
        assert (d.on_time, d.late) == (2, 1)
        assert d.on_time_rate == 67
        assert d.average_days == round((3 + 15 + 9) / 3, 1)
        assert d.overdue_now == 1
        states = {value: n for value, _label, n in d.states}
        assert states["submitted"] == 1
        assert states["rejected"] == 1
        assert states["approved"] == 3  # two decided + the adoption in the commune
        assert states["replicated"] == 1
        assert states["reduced"] == 1
        assert d.total == 7
        # The province's own proposals, then each child with its whole subtree (drill down).
        by_unit = {row.unit.code: (row.total, row.subtree) for row in d.units}
        assert by_unit == {
            "P": (0, False),
            "P-A": (6, True),
            "P-C": (1, False),
            "P-C2": (0, False),
        }
        agency = {row.unit.code: row.total for row in dashboard(figures.agency).units}
        assert agency == {"P-A": 5, "P-A-O": 1}
        outcomes = {value: n for value, _label, n in d.outcomes}
        assert outcomes == {"achieved": 1, "partial": 0, "not_achieved": 0, "damage": 1}
        protection = {value: n for value, _label, n in d.protection}
        assert protection["reduced"] == 1 and protection["referred"] == 0
        assert d.protected == 1
        assert {v: n for v, _l, n in d.recognitions}["praise"] == 2
        assert d.adoptions == 1
        row = d.decisions[0]
        assert (row.unit_name, row.decided, row.on_time, row.late) == ("Sở", 3, 2, 1)

    def test_a_quarter(self, figures):
        q1 = dashboard(figures.province, Period.quarter(2026, 1))
        assert (q1.decided, q1.on_time, q1.late, q1.submitted) == (3, 2, 1, 4)
        assert sum(n for _v, _l, n in q1.outcomes) == 0
        q2 = dashboard(figures.province, Period.quarter(2026, 2))
        assert q2.decided == 0
        assert {v: n for v, _l, n in q2.outcomes}["achieved"] == 1
        assert q2.adoptions == 1
        year = dashboard(figures.province, Period.year(2026))
        assert year.decided == 3 and year.adoptions == 1

    def test_a_subtree(self, figures):
        office = dashboard(figures.office)
        assert office.total == 1 and office.decided == 0 and office.overdue_now == 1
        commune = dashboard(figures.commune)
        assert commune.total == 1 and commune.adoptions == 1


class TestReport:
    def test_the_spreadsheet(self, figures):
        report = period_report(figures.province, Period.quarter(2026, 1))
        workbook = load_workbook(io.BytesIO(period_report_xlsx(report, language="vi")))
        assert workbook.sheetnames == [
            "Tổng hợp",
            "Theo đơn vị",
            "Các quyết định",
            "Kết quả",
            "Ghi nhận, khuyến khích",
            "Nhân rộng",
        ]
        summary = workbook["Tổng hợp"]
        assert summary["A1"].value == "Sơ kết quý 1/2026 — Tỉnh"
        figures_rows = {
            row[0].value: row[1].value for row in summary.iter_rows(min_row=5) if row[0].value
        }
        assert figures_rows["Quyết định trong kỳ"] == 3
        assert figures_rows["Quyết định đúng hạn"] == 2
        assert figures_rows["Quyết định trễ hạn"] == 1
        assert figures_rows["Tỷ lệ phê duyệt (%)"] == 67
        decisions = list(workbook["Các quyết định"].iter_rows(min_row=2, values_only=True))
        assert len([r for r in decisions if r[0]]) == 3
        timeliness = sorted(r[7] for r in decisions if r[0])
        assert timeliness == ["trễ hạn", "đúng hạn", "đúng hạn"]

    def test_the_year_report_lists_recognition_and_replication(self, figures):
        report = period_report(figures.province, Period.year(2026))
        workbook = load_workbook(io.BytesIO(period_report_xlsx(report, language="vi")))
        recognised = list(workbook["Ghi nhận, khuyến khích"].iter_rows(min_row=2, values_only=True))
        assert {r[1] for r in recognised if r[0]} == {"Biểu dương"}
        spread = [r for r in workbook["Nhân rộng"].iter_rows(min_row=2, values_only=True) if r[0]]
        assert spread[0][1] == "Xã"

    def test_the_pdf(self, figures):
        report = period_report(figures.province, Period.year(2026))
        text = " ".join(text_of(period_report_pdf(report, language="vi")).split())
        assert "Tổng kết năm 2026 — Tỉnh" in text
        assert "Giảm nhẹ trách nhiệm" in text
        assert "Biểu dương" in text


class TestAccess:
    @pytest.mark.parametrize(
        "url",
        ["/dashboard/", "/recognitions/"],
    )
    def test_only_organization_boards(self, org, url):
        client = Client()
        client.force_login(org.head)
        assert client.get(url).status_code == 403
        client.force_login(org.orgboard)
        assert client.get(url).status_code == 200

    def test_only_organization_boards_ask_for_the_report(self, org):
        client = Client()
        client.force_login(org.head)
        ask = {"kind": "period_report", "format": "xlsx"}
        assert client.post("/exports/new/", ask).status_code == 403
        client.force_login(org.orgboard)
        assert client.post("/exports/new/", ask).status_code == 302

    @pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
    def test_the_old_report_addresses_lead_to_the_dashboards_button(self, org, fmt):
        """A GET builds nothing: the old addresses lead to the dashboard of the same unit and
        period, whose button asks for the export."""
        client = Client()
        client.force_login(org.orgboard)
        response = client.get(f"/dashboard/report.{fmt}", {"period": "year", "year": 2026})
        assert response.status_code == 302
        assert response["Location"] == "/dashboard/?period=year&year=2026#report-export"
        assert not ExportJob.objects.exists()

    @pytest.mark.parametrize(
        "url", ["/api/v1/dashboard/", "/api/v1/reports/period/", "/api/v1/recognitions/"]
    )
    def test_the_api_too(self, org, url):
        client = Client()
        assert client.get(url).status_code == 401
        client.force_login(org.head)
        assert client.get(url).status_code == 403
        client.force_login(org.orgboard)
        # The report is built by a worker: 202 and the export job first.
        assert client.get(url).status_code == (202 if "reports" in url else 200)

    def test_a_board_sees_only_its_subtree(self, figures):
        client = Client()
        client.force_login(figures.commune_board)
        assert client.get("/dashboard/", {"unit": figures.agency.pk}).status_code == 400
        assert client.get("/api/v1/dashboard/", {"unit": figures.agency.pk}).status_code == 400
        body = client.get("/api/v1/dashboard/").json()
        assert body["unit"]["code"] == "P-C"
        assert body["total"] == 1

    def test_bad_periods(self, org):
        client = Client()
        client.force_login(org.orgboard)
        assert client.get("/api/v1/dashboard/", {"period": "decade"}).status_code == 400
        assert (
            client.get("/api/v1/dashboard/", {"quarter": 5, "period": "quarter"}).status_code == 400
        )
        assert client.get("/api/v1/reports/period/", {"output": "doc"}).status_code == 400

    def test_the_report_files(self, figures):
        client = Client()
        client.force_login(figures.orgboard)
        xlsx = exported(client, "period_report", period="quarter", year=2026, quarter=1)
        assert xlsx.status_code == 200
        assert xlsx["Content-Disposition"].endswith('so-ket-2026-q1-P.xlsx"')
        pdf = api_file(client, "/api/v1/reports/period/?period=year&year=2026&output=pdf")
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].endswith('tong-ket-2026-P.pdf"')

    def test_the_dashboard_page_and_api(self, figures):
        client = Client()
        client.force_login(figures.orgboard)
        page = client.get("/dashboard/").content.decode()
        assert 'id="dashboard-data"' in page
        assert "vendor/chartjs/chart.umd.min.js" in page
        assert 'data-figure="approval-rate">67%' in page
        body = client.get("/api/v1/dashboard/", {"period": "quarter", "year": 2026, "quarter": 1})
        assert body.json()["on_time"] == 2

    def test_recognised_cadres(self, figures):
        client = Client()
        client.force_login(figures.orgboard)
        page = client.get("/recognitions/").content.decode()
        assert "Nguyễn Thị Hương" in page and "Lê Văn Đức" in page
        assert "Biểu dương" in page
        body = client.get("/api/v1/recognitions/").json()
        assert body["count"] == 2
        assert {r["recipient"]["username"] for r in body["results"]} == {"cadre", "cadre2"}
        commune = Client()
        commune.force_login(figures.commune_board)
        assert commune.get("/api/v1/recognitions/").json()["count"] == 0
        assert commune.get("/recognitions/", {"unit": figures.agency.pk}).status_code == 404


def _grow(org, n):
    for _ in range(n):
        p = ProposalFactory(home_unit=org.office, created_by=org.cadre)
        p = in_state(p, "succeeded", mode="pilot", decided_at=MONDAY, submitted_at=MONDAY)
        recognised(p, board=org.orgboard, kind="reward")


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/?period=year&year=2026",
        "/recognitions/",
        "/api/v1/dashboard/",
        "/api/v1/recognitions/",
    ],
)
def test_a_fixed_number_of_queries_whatever_the_rows(figures, url):
    client = Client()
    client.force_login(figures.orgboard)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _grow(figures, 2)
    few = count()
    _grow(figures, 7)
    assert count() == few


def test_the_period_report_is_built_in_a_fixed_number_of_queries(figures, monkeypatch):
    from exports import services, tasks

    monkeypatch.setattr(tasks.build_export, "apply_async", lambda *args, **kwargs: None)

    def count():
        job, _created = services.export_request(
            actor=figures.orgboard, kind="period_report", params={"period": "year", "year": 2026}
        )
        with CaptureQueriesContext(connection) as queries:
            assert services.export_build(pk=job.pk).is_done
        return len(queries)

    _grow(figures, 2)
    few = count()
    _grow(figures, 7)
    assert count() == few


def test_the_periodic_review_gets_the_same_spreadsheet(figures):
    """reports.review_report takes the notifications app's Period (kind, start, end)."""
    from notifications.periodic import Period as ReminderPeriod
    from reviews.reports import review_report

    period = ReminderPeriod("quarter", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    workbook = load_workbook(io.BytesIO(review_report(figures.province, period, language="vi")))
    assert workbook["Tổng hợp"]["A1"].value == "Sơ kết quý 1/2026 — Tỉnh"


def test_the_panel_for_the_proposal_page(org, proposal):
    from django.template.loader import render_to_string

    proposal = succeeded(proposal, head=org.head, party=org.party)
    html = render_to_string("reviews/_proposal_panel.html", {"proposal": proposal})
    assert f"/reviews/{proposal.pk}/" in html
    assert f"/reviews/{proposal.pk}/replication/" in html
    # The dossier is asked for (built by a worker), not linked.
    assert 'action="/exports/new/"' in html
    assert f'name="proposal" value="{proposal.pk}"' in html


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboards_and_reports_read_from_the_replica(figures, settings):
    """Issue 12: with a read replica (here Django's TEST MIRROR of the default database) the
    dashboard, its API and the period report read there; the page says what the rows say."""
    from django.db import connections

    settings.KL14_REPLICA_READS = True
    client = Client()
    client.force_login(figures.orgboard)
    for url, params in (
        ("/dashboard/", {}),
        ("/api/v1/dashboard/", {"period": "quarter", "year": 2026, "quarter": 1}),
    ):
        with CaptureQueriesContext(connections["replica"]) as replica:
            response = client.get(url, params)
        assert response.status_code == 200, url
        # The figures' queries: the roll-ups and what they are of.
        assert len(replica) >= 4, url
        assert any("reviews_rollup" in query["sql"] for query in replica), url
    # The period report's export job reads there too (in the worker).
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = exported(client, "period_report", period="quarter", year=2026, quarter=1)
    assert response.status_code == 200
    assert len(replica) >= 5
    page = client.get("/dashboard/").content.decode()
    assert 'data-figure="approval-rate">67%' in page  # the replica sees the primary's rows
    settings.KL14_REPLICA_READS = False
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get("/dashboard/").status_code == 200
    assert len(replica) == 0


def _table(page: str, heading: str) -> list[list[str]]:
    """The cells' text of the table in the section with that heading id, header row first."""
    import re

    section = page[page.index(f'aria-labelledby="{heading}"') :]
    table = section[: section.index("</table>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def test_the_tables_show_the_figures_per_unit(figures, settings):
    """The unit table: a column per state that has proposals, each row the counts of its unit
    (blank for none) and its total; the decision table: the counts of each deciding unit (0
    included). Numbers are written as `{{ n }}` writes them, thousands separators included."""
    from django.template import Context, Template
    from django.utils import translation

    from reviews.templatetags.reviews_ui import count_cells

    settings.USE_THOUSAND_SEPARATOR = True
    d = dashboard(figures.province)
    client = Client()
    client.force_login(figures.orgboard)
    page = client.get("/dashboard/").content.decode()
    units = _table(page, "units-heading")
    columns = [(value, label) for value, label, n in d.states if n]
    assert units[0][1:-1] == [label for _v, label in columns]
    assert len(units) == 1 + len(d.units) == 5
    for row, cells in zip(d.units, units[1:], strict=True):
        assert cells[0].startswith(row.unit.name)
        assert cells[1:] == [str(row.states.get(v) or "") for v, _l in columns] + [str(row.total)]
    assert units[2][0] == "Sở (gồm cả các đơn vị cấp dưới)"
    decisions = _table(page, "decisions-heading")
    days = Template('{{ d|default_if_none:"—" }}')
    assert len(decisions) == 1 + len(d.decisions)
    for r, cells in zip(d.decisions, decisions[1:], strict=True):
        assert cells[0].startswith(r.unit_name)
        counts = [str(n) for n in (r.decided, r.approved, r.on_time, r.late)]
        assert cells[1:] == [*counts, days.render(Context({"d": r.average_days}))]
    assert decisions[1] == ["Sở (gồm cả các đơn vị cấp dưới)", "3", "2", "2", "1", "9,0"]
    # Large counts get the language's separators, as {{ n }} writes them.
    for language, written in (("vi", "1.234.567"), ("en", "1,234,567")):
        with translation.override(language):
            one = Template("{{ n }}")
            expected = "".join(
                f'<td class="text-end">{one.render(Context({"n": n})) if n else "-"}</td>'
                for n in (1234567, 0, 42, -1500)
            )
            assert count_cells([1234567, 0, 42, -1500], zero="-") == expected
            assert written in expected


def test_the_children_by_state_are_read_through_their_index(postgres, figures):
    """The children's rows by state come from the (unit, key) index — a range of the keys
    `state:…` — not from every row of each child, whose number grows with the units under it;
    and from the index alone, which holds their counts (no visit of the table per row)."""
    with CaptureQueriesContext(postgres) as queries:
        dashboard(figures.province)
    (children,) = [q["sql"] for q in queries if '"reviews_rollup"."unit_id" IN' in q["sql"]]
    with postgres.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {children}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using rollup_unit_key" in plan
    assert "~>=~ 'state:'" in plan


def test_the_children_units_are_read_through_the_depth_index(postgres, figures):
    """unit_depth: the units one level below are found by their depth and path prefix, not by
    reading every unit of the subtree (50,000 under the national root)."""
    with CaptureQueriesContext(postgres) as queries:
        dashboard(figures.province)
    levels = [q["sql"] for q in queries if '"units_unit"."depth" = ' in q["sql"]]
    assert levels
    with postgres.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in levels:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "unit_depth" in plan, plan
