"""The pilots API: every endpoint, its error answers, and constant query counts for the lists."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from ledger.models import LedgerEntry
from pilots import services
from pilots.models import ImplementationPlan
from proposals.models import State
from tests.factories.pilots import plan_data, running_pilot
from tests.factories.proposals import fresh

from .test_services import PNG

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def fresh_user(user):
    """The user read again: nothing cached on it from an earlier request."""
    return type(user).objects.get(pk=user.pk)


def jsonable(data):
    return json.loads(json.dumps(data, default=str))


def url(proposal, tail=""):
    return f"/api/v1/proposals/{proposal.pk}/{tail}"


def plan_body(org, **overrides):
    data = plan_data(monitors=[org.inspector.pk], **overrides)
    return jsonable(data)


class TestPlan:
    def test_get_before_the_plan_is_404(self, org, approved):
        response = client_for(org.head).get(url(approved, "plan/"))
        assert response.status_code == 404

    def test_put_creates_then_replaces(self, org, approved):
        client = client_for(org.head)
        response = client.put(url(approved, "plan/"), plan_body(org), format="json")
        assert response.status_code == 201, response.data
        body = response.data
        assert body["version"] == 1 and len(body["content_hash"]) == 64
        assert [k["name"] for k in body["kpis"]] == [
            "Thời gian giải quyết hồ sơ",
            "Tỷ lệ hồ sơ trực tuyến",
        ]
        assert body["monitors"][0]["username"] == "inspector"
        assert body["schedule"][0]["period"] == 1
        assert body["is_cosigned"] is False
        response = client.put(
            url(approved, "plan/"), plan_body(org, budget_amount=1), format="json"
        )
        assert response.status_code == 200
        assert response.data["version"] == 2
        assert client.get(url(approved, "plan/")).data["budget_amount"] == 1

        versions = client.get(url(approved, "plan/versions/"))
        assert versions.status_code == 200
        assert versions.data["count"] == 2
        assert versions.data["results"][1]["content"]["resources"]["budget_amount"] == 1

    def test_put_errors(self, org, approved, running):
        body = plan_body(org)
        assert (
            client_for(org.cadre).put(url(approved, "plan/"), body, format="json").status_code
            == 403
        )
        assert (
            client_for(org.commune_head)
            .put(url(approved, "plan/"), body, format="json")
            .status_code
            == 404
        )
        assert (
            client_for(org.head).put(url(running, "plan/"), body, format="json").status_code == 409
        )
        bad = plan_body(org, end_date="2000-01-01")
        response = client_for(org.head).put(url(approved, "plan/"), bad, format="json")
        assert response.status_code == 400
        assert "end_date" in response.data["errors"]
        bad = plan_body(org)
        bad["monitors"] = [org.commune_inspector.pk]
        response = client_for(org.head).put(url(approved, "plan/"), bad, format="json")
        assert response.status_code == 400 and "monitors" in response.data["errors"]
        assert not ImplementationPlan.objects.filter(proposal=approved).exists()

    def test_anonymous_is_401(self, approved):
        assert APIClient().get(url(approved, "plan/")).status_code == 401

    def test_cosign_and_start_through_the_transitions_api(self, org, approved):
        client = client_for(org.head)
        client.put(url(approved, "plan/"), plan_body(org), format="json")
        assert client_for(org.cadre).post(url(approved, "plan/cosign/")).status_code == 403
        response = client.post(url(approved, "plan/cosign/"))
        assert response.status_code == 200 and response.data["is_cosigned"] is True
        assert client.post(url(approved, "plan/cosign/")).status_code == 409
        names = [t["name"] for t in client.get(url(approved, "transitions/")).data]
        assert "start" in names
        response = client.post(url(approved, "transitions/start/"), {}, format="json")
        assert response.status_code == 200, response.data
        assert response.data["state"] == State.IN_PROGRESS


class TestReports:
    def test_file_json_and_list(self, org, running):
        kpi = ImplementationPlan.objects.get(proposal=running).kpis.first()
        client = client_for(org.cadre)
        response = client.post(
            url(running, "reports/"),
            {"narrative": "Kỳ 1", "kpi_values": [{"kpi": kpi.pk, "value": "25.5"}]},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert response.data["period"] == 1 and response.data["late"] is False
        assert response.data["kpi_values"][0]["value"] == "25.5000"
        listed = client_for(org.inspector).get(url(running, "reports/"))
        assert listed.status_code == 200 and listed.data["count"] == 1

    def test_file_multipart_with_attachments(self, org, running):
        kpi = ImplementationPlan.objects.get(proposal=running).kpis.first()
        response = client_for(org.cadre).post(
            url(running, "reports/"),
            {
                "narrative": "Kèm biên bản",
                "kpi_values": json.dumps([{"kpi": kpi.pk, "value": 20}]),
                "attachments": [SimpleUploadedFile("bien-ban.png", PNG)],
            },
            format="multipart",
        )
        assert response.status_code == 201, response.data
        assert response.data["attachments"][0]["content_type"] == "image/png"

    def test_a_kpi_not_in_the_plan_is_a_400_with_a_clear_message(self, org, running):
        before = LedgerEntry.objects.filter(proposal=running).count()
        response = client_for(org.cadre).post(
            url(running, "reports/"),
            {"narrative": "x", "kpi_values": [{"kpi": 987654, "value": "1"}]},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert "987654" in response.data["errors"]["kpi_values"][0]
        assert "Thời gian giải quyết hồ sơ" in response.data["errors"]["kpi_values"][0]
        assert LedgerEntry.objects.filter(proposal=running).count() == before

    def test_errors(self, org, running):
        body = {"narrative": "x"}
        assert client_for(org.head).post(url(running, "reports/"), body).status_code == 403
        assert client_for(org.commune_cadre).post(url(running, "reports/"), body).status_code == 404
        assert client_for(org.cadre).post(url(running, "reports/"), {}).status_code == 400
        services.pilot_suspend(proposal=running, actor=org.head, reason="x")
        assert client_for(org.cadre).post(url(running, "reports/"), body).status_code == 409


class TestInspections:
    def test_monitor_records_and_everyone_visible_lists(self, org, running):
        body = {"date": timezone.localdate().isoformat(), "findings": "Ổn", "assessment": "good"}
        response = client_for(org.inspector).post(url(running, "inspections/"), body, format="json")
        assert response.status_code == 201, response.data
        assert client_for(org.cadre).get(url(running, "inspections/")).data["count"] == 1
        assert (
            client_for(org.agency_inspector).post(url(running, "inspections/"), body).status_code
            == 403
        )
        assert (
            client_for(org.commune_inspector).get(url(running, "inspections/")).status_code == 404
        )
        response = client_for(org.inspector).post(
            url(running, "inspections/"), {**body, "assessment": "?"}, format="json"
        )
        assert response.status_code == 400


class TestAdjustments:
    def test_request_approve_reject(self, org, running):
        plan = ImplementationPlan.objects.get(proposal=running)
        new_end = (plan.end_date + datetime.timedelta(days=31)).isoformat()
        cadre = client_for(org.cadre)
        response = cadre.post(
            url(running, "adjustments/"),
            {"reasons": "Kéo dài", "changes": {"end_date": new_end}},
            format="json",
        )
        assert response.status_code == 201, response.data
        aid = response.data["id"]
        assert response.data["changes"] == {"end_date": new_end}
        assert (
            cadre.post(
                url(running, "adjustments/"),
                {"reasons": "x", "changes": {"people": "y"}},
                format="json",
            ).status_code
            == 409
        )
        assert cadre.post(f"/api/v1/adjustments/{aid}/approve/").status_code == 403
        assert (
            client_for(org.commune_head).post(f"/api/v1/adjustments/{aid}/approve/").status_code
            == 404
        )
        response = client_for(org.head).post(
            f"/api/v1/adjustments/{aid}/approve/", {}, format="json"
        )
        assert response.status_code == 200, response.data
        assert response.data["status"] == "approved" and response.data["resulting_version"] == 2
        assert client_for(org.head).post(f"/api/v1/adjustments/{aid}/reject/").status_code == 409

        response = cadre.post(
            url(running, "adjustments/"),
            {"reasons": "Thêm người", "changes": {"people": "5 cán bộ"}},
            format="json",
        )
        aid = response.data["id"]
        assert client_for(org.head).post(f"/api/v1/adjustments/{aid}/reject/").status_code == 400
        response = client_for(org.head).post(
            f"/api/v1/adjustments/{aid}/reject/", {"reasons": "Chưa cần"}, format="json"
        )
        assert response.data["status"] == "rejected"
        listed = client_for(org.inspector).get(url(running, "adjustments/"))
        assert listed.data["count"] == 2

    def test_nothing_changed_is_400(self, org, running):
        plan = ImplementationPlan.objects.get(proposal=running)
        response = client_for(org.cadre).post(
            url(running, "adjustments/"),
            {"reasons": "x", "changes": {"people": plan.people}},
            format="json",
        )
        assert response.status_code == 400 and "changes" in response.data["errors"]


class TestEnd:
    def test_complete_and_final_report_through_the_transitions_api(self, org, running):
        cadre = client_for(org.cadre)
        assert cadre.post(url(running, "transitions/complete/")).status_code == 200
        assert cadre.get(url(running, "final-report/")).status_code == 404
        kpis = list(ImplementationPlan.objects.get(proposal=running).kpis.all())
        response = cadre.post(
            url(running, "transitions/submit_final_report/"),
            {"report": "x", "kpi_values": [{"kpi": 424242, "value": "1"}]},
            format="json",
        )
        assert response.status_code == 400 and "kpi_values" in response.data["errors"]
        response = cadre.post(
            url(running, "transitions/submit_final_report/"),
            {
                "report": "Kết quả tốt",
                "kpi_values": [{"kpi": k.pk, "value": "12"} for k in kpis],
            },
            format="json",
        )
        assert response.status_code == 200, response.data
        assert response.data["state"] == State.EVALUATING
        final = cadre.get(url(running, "final-report/"))
        assert final.status_code == 200 and len(final.data["kpi_values"]) == 2

    def test_suspend_needs_a_reason(self, org, running):
        head = client_for(org.head)
        assert head.post(url(running, "transitions/suspend/"), {}).status_code == 400
        assert client_for(org.cadre).post(url(running, "transitions/suspend/")).status_code == 403
        response = head.post(url(running, "transitions/suspend/"), {"reason": "Tạm dừng"})
        assert response.status_code == 200 and response.data["state"] == State.SUSPENDED
        assert head.post(url(running, "transitions/complete/")).status_code in (403, 409)


class TestLists:
    def make(self, org, n):
        for _ in range(n):
            pilot = running_pilot(org)
            services.inspection_record(
                proposal=fresh(pilot),
                actor=org.inspector,
                date=timezone.localdate(),
                findings="x",
                assessment="serious",
            )

    @pytest.mark.parametrize(
        ("who", "path"),
        [("inspector", "monitored"), ("head", "unit"), ("cadre", "mine")],
    )
    def test_constant_queries(self, org, who, path):
        user = getattr(org, who)
        self.make(org, 1)
        client_for(fresh_user(user)).get(f"/api/v1/pilots/{path}/")  # warm the process caches
        with CaptureQueriesContext(connection) as small:
            response = client_for(fresh_user(user)).get(f"/api/v1/pilots/{path}/")
        assert response.status_code == 200 and response.data["count"] == 1
        self.make(org, 3)
        with CaptureQueriesContext(connection) as large:
            response = client_for(fresh_user(user)).get(f"/api/v1/pilots/{path}/")
        assert response.data["count"] == 4
        assert len(large) == len(small)
        row = response.data["results"][0]
        assert row["last_assessment"] == "serious"
        assert row["state"] == State.IN_PROGRESS and row["plan_version"] == 1

    def test_a_monitor_of_another_subtree_lists_nothing(self, org, running):
        from guardian.shortcuts import assign_perm

        assign_perm(
            "pilots.monitor_plan",
            org.commune_inspector,
            ImplementationPlan.objects.get(proposal=running),
        )
        response = client_for(org.commune_inspector).get("/api/v1/pilots/monitored/")
        assert response.data["count"] == 0
        assert client_for(org.inspector).get("/api/v1/pilots/monitored/").data["count"] == 1
        assert client_for(org.agency_inspector).get("/api/v1/pilots/monitored/").data["count"] == 0


def test_the_schema_documents_the_pilot_endpoints(client, org):
    client.force_login(org.cadre)
    schema = client.get("/api/v1/schema/?format=json").json()
    put = schema["paths"]["/api/v1/proposals/{id}/plan/"]["put"]
    assert {"200", "201", "400", "401", "403", "404", "409"} <= set(put["responses"])
    post = schema["paths"]["/api/v1/proposals/{id}/reports/"]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(post["responses"])
    assert "/api/v1/adjustments/{aid}/approve/" in schema["paths"]
    assert "/api/v1/pilots/monitored/" in schema["paths"]


def test_plan_json_round_trip_keeps_the_version(org, approved):
    """Sending back what GET answered (ids included) changes nothing."""
    client = client_for(org.head)
    client.put(url(approved, "plan/"), plan_body(org), format="json")
    plan = client.get(url(approved, "plan/")).data
    body = {
        **{k: plan[k] for k in ("start_date", "end_date", "reporting_cadence", "budget_amount")},
        **{k: plan[k] for k in ("budget_details", "people", "equipment", "risk_declaration")},
        "milestones": [{k: m[k] for k in ("id", "name", "due_date")} for m in plan["milestones"]],
        "kpis": [
            {k: kpi[k] for k in ("id", "name", "unit", "baseline", "target", "direction")}
            for kpi in plan["kpis"]
        ],
        "monitors": [m["id"] for m in plan["monitors"]],
    }
    response = client.put(url(approved, "plan/"), jsonable(body), format="json")
    assert response.status_code == 200 and response.data["version"] == 1
