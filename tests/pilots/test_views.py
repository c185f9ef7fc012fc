"""The pilot pages: who sees what, the forms post to the services, the lists run a fixed number of
queries."""

import datetime
import json
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilots import services
from pilots.models import Adjustment, ImplementationPlan, Inspection, ProgressReport
from proposals.models import State
from tests.factories.pilots import plan_data, running_pilot
from tests.factories.proposals import ProposalFactory, fresh

from .test_services import PNG

pytestmark = pytest.mark.django_db


def page(proposal, tail=""):
    return f"/pilots/{proposal.pk}/{tail}"


def chart_data(response):
    match = re.search(
        r'<script id="kpi-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def formset(prefix, rows, extra=2):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def plan_post(org, **overrides):
    data = plan_data(monitors=[])
    data.update(overrides)
    post = {
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat(),
        "reporting_cadence": "monthly",
        "budget_amount": "500000000",
        "budget_details": data["budget_details"],
        "people": data["people"],
        "equipment": data["equipment"],
        "risk_declaration": data["risk_declaration"],
        "monitors": [str(org.inspector.pk)],
    }
    post.update(
        formset(
            "milestones",
            [
                {"name": m["name"], "due_date": m["due_date"].isoformat()}
                for m in data["milestones"]
            ],
        )
    )
    post.update(formset("kpis", data["kpis"]))
    return post


class TestDetail:
    def test_visible_to_the_people_of_the_pilot(self, client, org, running):
        for user in (org.head, org.cadre, org.inspector, org.deputy1, org.orgboard):
            client.force_login(user)
            response = client.get(page(running))
            assert response.status_code == 200, user.username
        assert "Thời gian giải quyết hồ sơ" in response.content.decode()

    def test_hidden_from_others_and_before_approval(self, client, org, running):
        client.force_login(org.commune_head)
        assert client.get(page(running)).status_code == 404
        draft = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        client.force_login(org.cadre)
        assert client.get(page(draft)).status_code == 404
        assert client.get("/pilots/999999/").status_code == 404

    def test_the_chart_data_holds_the_reported_values(self, client, org, running):
        kpi = ImplementationPlan.objects.get(proposal=running).kpis.get(
            name="Tỷ lệ hồ sơ trực tuyến"
        )
        services.report_file(
            proposal=running,
            actor=org.cadre,
            narrative="Kỳ 1",
            kpi_values=[{"kpi": kpi.pk, "value": "17.5"}],
        )
        client.force_login(org.inspector)
        response = client.get(page(running))
        series = {s["name"]: s for s in chart_data(response)}
        online = series["Tỷ lệ hồ sơ trực tuyến"]
        assert (online["baseline"], online["target"]) == (5.0, 60.0)
        assert [p["value"] for p in online["points"]] == [17.5]
        assert series["Thời gian giải quyết hồ sơ"]["points"] == []
        assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()

    def test_overdue_badge(self, client, org, running):
        due = ImplementationPlan.objects.get(proposal=running).next_report_due
        with time_machine.travel(due + datetime.timedelta(days=1)):
            client.force_login(org.head)
            response = client.get(page(running))
        assert "Progress report overdue" in response.content.decode() or (
            "Quá hạn báo cáo tiến độ" in response.content.decode()
        )


class TestPlanPages:
    def test_head_prepares_the_plan_through_the_form(self, client, org, approved):
        client.force_login(org.head)
        response = client.get(page(approved, "plan/"))
        assert response.status_code == 200
        # The dossier's implementers are the first draft of the people committed.
        assert approved.implementers in response.content.decode()
        response = client.post(page(approved, "plan/"), plan_post(org))
        assert response.status_code == 302, response.content.decode()[:3000]
        plan = ImplementationPlan.objects.get(proposal=approved)
        assert plan.version == 1 and plan.kpis.count() == 2 and plan.milestones.count() == 3
        assert org.inspector.has_perm("pilots.monitor_plan", plan)

        # Saving the form again unchanged (rows carry their ids) keeps the version.
        response = client.get(page(approved, "plan/"))
        assert response.status_code == 200
        response = client.post(page(approved, "plan/"), plan_post(org))
        assert ImplementationPlan.objects.get(proposal=approved).version == 1

        # The co-signature is a confirmation page showing the risk declaration, not one click.
        response = client.get(page(approved, "plan/cosign/"))
        assert response.status_code == 200
        assert "Nhận diện rủi ro và biện pháp kiểm soát" in response.content.decode()
        response = client.post(page(approved, "plan/cosign/"))
        assert response.status_code == 400
        assert not ImplementationPlan.objects.get(proposal=approved).is_cosigned
        response = client.post(page(approved, "plan/cosign/"), {"confirmed": "on"})
        assert response.status_code == 302
        assert ImplementationPlan.objects.get(proposal=approved).is_cosigned

        response = client.get(page(approved, "transitions/start/"))
        assert response.status_code == 200
        response = client.post(page(approved, "transitions/start/"))
        assert response.status_code == 302
        assert fresh(approved).state == State.IN_PROGRESS

    def test_form_errors_are_400(self, client, org, approved):
        client.force_login(org.head)
        response = client.post(
            page(approved, "plan/"), plan_post(org, end_date=datetime.date(2000, 1, 1))
        )
        assert response.status_code == 400
        assert not ImplementationPlan.objects.filter(proposal=approved).exists()

    def test_only_the_head_while_approved(self, client, org, approved, running):
        client.force_login(org.cadre)
        assert client.get(page(approved, "plan/")).status_code == 403
        client.force_login(org.head)
        assert client.get(page(running, "plan/")).status_code == 409
        client.force_login(org.commune_head)
        assert client.get(page(approved, "plan/")).status_code == 404


class TestWhileRunning:
    def test_cadre_files_a_report_with_an_attachment(self, client, org, running):
        kpi = ImplementationPlan.objects.get(proposal=running).kpis.first()
        client.force_login(org.cadre)
        assert "report-form" in client.get(page(running)).content.decode()
        response = client.post(
            page(running, "reports/"),
            {
                "period": "1",
                "narrative": "Đã khảo sát",
                f"kpi_{kpi.pk}": "22",
                "attachments": [SimpleUploadedFile("anh.png", PNG, content_type="image/png")],
            },
        )
        assert response.status_code == 302
        report = ProgressReport.objects.get(plan__proposal=running)
        assert report.attachments.count() == 1
        download = client.get(f"/pilots/attachments/{report.attachments.get().pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
        client.force_login(org.commune_cadre)
        assert client.get(f"/pilots/attachments/{report.attachments.get().pk}/").status_code == 404

    def test_an_invalid_report_is_shown_again_with_its_errors(self, client, org, running):
        client.force_login(org.cadre)
        response = client.post(
            page(running, "reports/"),
            {
                "period": "1",
                "narrative": "x",
                "attachments": [SimpleUploadedFile("virus.exe", b"MZ" * 100)],
            },
        )
        assert response.status_code == 400
        assert "virus.exe" in response.content.decode()
        assert not ProgressReport.objects.exists()

    def test_head_cannot_file_reports(self, client, org, running):
        client.force_login(org.head)
        assert "report-form" not in client.get(page(running)).content.decode()
        response = client.post(page(running, "reports/"), {"period": "1", "narrative": "x"})
        assert response.status_code == 403

    def test_monitor_records_an_inspection(self, client, org, running):
        client.force_login(org.inspector)
        assert "inspection-form" in client.get(page(running)).content.decode()
        response = client.post(
            page(running, "inspections/"),
            {
                "date": timezone.localdate().isoformat(),
                "findings": "Đúng tiến độ",
                "assessment": "good",
            },
        )
        assert response.status_code == 302
        assert Inspection.objects.get().inspector == org.inspector
        client.force_login(org.agency_inspector)
        assert "inspection-form" not in client.get(page(running)).content.decode()
        response = client.post(page(running, "inspections/"), {"findings": "x"})
        assert response.status_code == 403

    def test_adjustment_request_and_approval(self, client, org, running):
        plan = ImplementationPlan.objects.get(proposal=running)
        client.force_login(org.cadre)
        response = client.get(page(running, "adjustments/"))
        assert response.status_code == 200
        post = {
            "reasons": "Cần thêm một tháng",
            "start_date": plan.start_date.isoformat(),
            "end_date": (plan.end_date + datetime.timedelta(days=30)).isoformat(),
            "budget_amount": str(plan.budget_amount),
            "budget_details": plan.budget_details,
            "people": plan.people,
            "equipment": plan.equipment,
        }
        milestones = [
            {"id": m.pk, "name": m.name, "due_date": m.due_date.isoformat()}
            for m in plan.milestones.all()
        ]
        kpis = [
            {
                "id": k.pk,
                "name": k.name,
                "unit": k.unit,
                "baseline": str(k.baseline),
                "target": str(k.target),
                "direction": k.direction,
            }
            for k in plan.kpis.all()
        ]
        post.update(formset("milestones", milestones))
        post["milestones-INITIAL_FORMS"] = str(len(milestones))
        post.update(formset("kpis", kpis))
        post["kpis-INITIAL_FORMS"] = str(len(kpis))
        response = client.post(page(running, "adjustments/"), post)
        assert response.status_code == 302, response.content.decode()[:2000]
        adjustment = Adjustment.objects.get()
        assert set(adjustment.changes) == {"end_date"}

        client.force_login(org.head)
        assert "Approve the adjustment" in client.get(page(running)).content.decode() or (
            "Phê duyệt điều chỉnh" in client.get(page(running)).content.decode()
        )
        response = client.post(f"/pilots/adjustments/{adjustment.pk}/approve/", {"reasons": ""})
        assert response.status_code == 302
        adjustment.refresh_from_db()
        assert adjustment.status == "approved"
        assert ImplementationPlan.objects.get(proposal=running).version == 2

    def test_reject_without_reasons_is_refused(self, client, org, running):
        adjustment = services.adjustment_request(
            proposal=running, actor=org.cadre, reasons="x", changes={"people": "Thêm"}
        )
        client.force_login(org.head)
        client.post(f"/pilots/adjustments/{adjustment.pk}/reject/", {"reasons": ""})
        adjustment.refresh_from_db()
        assert adjustment.status == "pending"

    def test_complete_and_final_report(self, client, org, running):
        client.force_login(org.cadre)
        # Irreversible: what is still open is shown, and nothing happens without the tick.
        response = client.get(page(running, "transitions/complete/"))
        assert "báo cáo tiến độ chưa được nộp" in response.content.decode()
        assert client.post(page(running, "transitions/complete/")).status_code == 400
        assert fresh(running).state == State.IN_PROGRESS
        response = client.post(page(running, "transitions/complete/"), {"confirmed": "on"})
        assert response.status_code == 302
        assert fresh(running).state == State.ENDED
        kpis = list(ImplementationPlan.objects.get(proposal=running).kpis.all())
        response = client.get(page(running, "transitions/submit_final_report/"))
        assert response.status_code == 200
        assert f"kpi_{kpis[0].pk}" in response.content.decode()
        response = client.post(
            page(running, "transitions/submit_final_report/"),
            {"report": "Hoàn thành", f"kpi_{kpis[0].pk}": "9"},
        )
        assert response.status_code == 400  # the other KPI is missing
        response = client.post(
            page(running, "transitions/submit_final_report/"),
            {"report": "Hoàn thành", f"kpi_{kpis[0].pk}": "9", f"kpi_{kpis[1].pk}": "61"},
        )
        assert response.status_code == 302
        assert fresh(running).state == State.EVALUATING

    def test_suspend_page_needs_a_reason_and_the_head(self, client, org, running):
        client.force_login(org.cadre)
        assert client.get(page(running, "transitions/suspend/")).status_code == 403
        client.force_login(org.head)
        assert client.post(page(running, "transitions/suspend/"), {"reason": ""}).status_code == 400
        response = client.post(page(running, "transitions/suspend/"), {"reason": "Tạm dừng"})
        assert response.status_code == 302
        assert fresh(running).state == State.SUSPENDED

    def test_milestone_done(self, client, org, running):
        milestone = ImplementationPlan.objects.get(proposal=running).milestones.first()
        client.force_login(org.cadre)
        client.post(page(running, f"milestones/{milestone.pk}/"), {"done": "1"})
        milestone.refresh_from_db()
        assert milestone.done


class TestLists:
    @pytest.mark.parametrize(
        ("who", "path"),
        [("inspector", "monitored"), ("head", "unit"), ("cadre", "mine")],
    )
    def test_constant_queries(self, client, org, who, path):
        user = getattr(org, who)
        client.force_login(user)
        running_pilot(org)
        client.get(f"/pilots/{path}/")
        with CaptureQueriesContext(connection) as small:
            response = client.get(f"/pilots/{path}/")
        assert response.status_code == 200
        for _ in range(3):
            running_pilot(org)
        with CaptureQueriesContext(connection) as large:
            response = client.get(f"/pilots/{path}/")
        assert len(large) == len(small)
        assert response.content.decode().count("/pilots/") >= 4

    def test_unit_list_shows_plans_to_prepare(self, client, org, approved):
        client.force_login(org.head)
        response = client.get("/pilots/unit/")
        assert approved.code in response.content.decode()
        client.force_login(org.commune_head)
        assert approved.code not in client.get("/pilots/unit/").content.decode()

    def test_navigation_entries_by_role(self, client, org):
        client.force_login(org.inspector)
        html = client.get("/").content.decode()
        assert 'href="/pilots/monitored/"' in html and 'href="/pilots/unit/"' not in html
        client.force_login(org.head)
        html = client.get("/").content.decode()
        assert 'href="/pilots/unit/"' in html and 'href="/pilots/monitored/"' not in html
