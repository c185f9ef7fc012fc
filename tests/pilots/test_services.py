"""The services of the implementation stage: for each transition and action the happy path, the
wrong state (409), the wrong role (403), another unit (404), bad input (400, nothing written) and
the ledger entry."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.hashing import canonical_json, sha256
from ledger.models import LedgerEntry
from pilots import services
from pilots.models import (
    Adjustment,
    FinalReport,
    ImplementationPlan,
    Inspection,
    Kpi,
    KpiValue,
    Milestone,
    PlanVersion,
    ProgressReport,
    ReportAttachment,
)
from pilots.permissions import approving_head_id, is_monitor
from proposals.models import State
from proposals.selectors import proposal_verify
from tests.factories.files import PNG
from tests.factories.pilots import approved, plan_data, planned, started
from tests.factories.proposals import ProposalFactory, fresh, in_state

pytestmark = pytest.mark.django_db


def ledger(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def last_event(proposal):
    return ledger(proposal)[-1]


def plan_of(proposal):
    return ImplementationPlan.objects.get(proposal=proposal)


def written(proposal):
    """Everything a failed call must leave untouched."""
    p = fresh(proposal)
    plan = ImplementationPlan.objects.filter(proposal=p).first()
    return (
        p.state,
        LedgerEntry.objects.filter(proposal=p).count(),
        plan and (plan.version, plan.content_hash, plan.cosigned_hash, plan.next_report_due),
        PlanVersion.objects.filter(plan__proposal=p).count(),
        Kpi.objects.filter(plan__proposal=p).count(),
        Milestone.objects.filter(plan__proposal=p).count(),
        ProgressReport.objects.filter(plan__proposal=p).count(),
        KpiValue.objects.count(),
        Inspection.objects.count(),
        Adjustment.objects.count(),
        FinalReport.objects.count(),
        ReportAttachment.objects.count(),
    )


@pytest.fixture
def plan_ready(org, approved):
    planned(approved, head=org.head, monitors=[org.inspector])
    return fresh(approved)


# --- the plan ---------------------------------------------------------------------------------


class TestPlanSave:
    def test_head_prepares_a_versioned_plan_recorded_in_the_ledger(self, org, approved):
        plan = services.plan_save(
            proposal=approved, actor=org.head, **plan_data(monitors=[org.inspector])
        )
        assert plan.version == 1
        version = PlanVersion.objects.get(plan=plan)
        assert version.content_hash == sha256(canonical_json(version.content))
        assert version.content_hash == plan.content_hash
        assert [m["name"] for m in version.content["milestones"]] == [
            "Khảo sát hiện trạng",
            "Vận hành thử",
            "Tổng kết",
        ]
        assert version.content["kpis"][0]["baseline"] == "30"
        assert version.content["monitors"] == [
            {"username": "inspector", "name": org.inspector.get_full_name()}
        ]
        entry = last_event(approved)
        assert entry.event == "plan_version"
        assert entry.from_state == entry.to_state == State.APPROVED
        assert entry.payload == {
            "plan_version": 1,
            "plan_hash": plan.content_hash,
            "reason": "prepared",
        }
        assert plan.schedule[0]["period"] == 1
        assert proposal_verify(approved).valid

    def test_monitors_get_the_object_permission_and_lose_it_when_removed(self, org, approved):
        plan = services.plan_save(
            proposal=approved,
            actor=org.head,
            **plan_data(monitors=[org.inspector, org.agency_inspector]),
        )
        assert org.inspector.has_perm("pilots.monitor_plan", plan)
        assert is_monitor(org.agency_inspector, plan)
        services.plan_save(
            proposal=fresh(approved), actor=org.head, **plan_data(monitors=[org.inspector])
        )
        org.agency_inspector = type(org.agency_inspector).objects.get(pk=org.agency_inspector.pk)
        assert not org.agency_inspector.has_perm("pilots.monitor_plan", plan)
        assert plan_of(approved).version == 2

    def test_saving_the_same_plan_again_makes_no_new_version(self, org, plan_ready):
        before = written(plan_ready)
        services.plan_save(
            proposal=plan_ready, actor=org.head, **plan_data(monitors=[org.inspector])
        )
        assert written(plan_ready) == before

    def test_a_partial_plan_is_a_draft(self, org, approved):
        plan = services.plan_save(proposal=approved, actor=org.head, people="Hai cán bộ")
        assert plan.version == 1 and plan.start_date is None and plan.schedule == []

    def test_an_author_does_not_write_the_plan(self, org, approved):
        before = written(approved)
        with pytest.raises(Forbidden):
            services.plan_save(
                proposal=approved, actor=org.cadre, **plan_data(monitors=[org.inspector])
            )
        assert written(approved) == before

    def test_another_units_head_gets_404(self, org, approved):
        with pytest.raises(NotFound):
            services.plan_save(proposal=approved, actor=org.commune_head, **plan_data(monitors=[]))

    def test_only_while_approved(self, org, running):
        before = written(running)
        with pytest.raises(Conflict):
            services.plan_save(
                proposal=running, actor=org.head, **plan_data(monitors=[org.inspector])
            )
        assert written(running) == before

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"end_date": datetime.date(2020, 1, 1)}, "end_date"),
            ({"start_date": "not a date"}, "start_date"),
            ({"budget_amount": -5}, "budget_amount"),
            ({"reporting_cadence": "daily"}, "reporting_cadence"),
            ({"kpis": [{"name": "X", "unit": "%", "baseline": "a", "target": "2"}]}, "kpis"),
            (
                {
                    "kpis": [
                        {
                            "name": "X",
                            "unit": "%",
                            "baseline": "5",
                            "target": "2",
                            "direction": "higher",
                        }
                    ]
                },
                "kpis",
            ),
            ({"milestones": [{"name": "", "due_date": "2026-01-01"}]}, "milestones"),
            ({"milestones": [{"name": "Sớm", "due_date": "1999-01-01"}]}, "milestones"),
            ({"surprise": "x"}, "surprise"),
        ],
    )
    def test_bad_input_is_refused_with_field_errors_and_nothing_written(
        self, org, approved, overrides, field
    ):
        before = written(approved)
        with pytest.raises(Invalid) as error:
            services.plan_save(
                proposal=approved,
                actor=org.head,
                **plan_data(monitors=[org.inspector], **overrides),
            )
        assert field in error.value.errors
        assert written(approved) == before

    def test_monitors_are_inspectors_of_the_home_unit_or_above(self, org, approved):
        before = written(approved)
        with pytest.raises(Invalid) as error:
            services.plan_save(
                proposal=approved,
                actor=org.head,
                **plan_data(monitors=[org.commune_inspector, org.cadre]),
            )
        messages = " ".join(error.value.errors["monitors"])
        assert len(error.value.errors["monitors"]) == 2
        assert org.commune_inspector.get_full_name() in messages
        assert org.cadre.get_full_name() in messages
        assert written(approved) == before


class TestCosign:
    def test_the_approving_head_cosigns_the_current_version(self, org, plan_ready):
        assert approving_head_id(plan_ready) == org.head.pk
        plan = services.plan_cosign(proposal=plan_ready, actor=org.head)
        assert plan.is_cosigned and plan.cosigned_version == 1
        entry = last_event(plan_ready)
        assert entry.event == "plan_cosign"
        assert entry.payload["plan_hash"] == plan.content_hash
        assert entry.payload["risk_declaration"].startswith("Rủi ro")

    def test_a_change_after_the_cosignature_needs_a_new_one(self, org, plan_ready):
        services.plan_cosign(proposal=plan_ready, actor=org.head)
        services.plan_save(
            proposal=fresh(plan_ready),
            actor=org.head,
            **plan_data(monitors=[org.inspector], budget_amount=1),
        )
        plan = plan_of(plan_ready)
        assert plan.version == 2 and not plan.is_cosigned
        with pytest.raises(Invalid) as error:
            services.pilot_start(proposal=fresh(plan_ready), actor=org.head)
        assert "cosignature" in error.value.errors
        services.plan_cosign(proposal=fresh(plan_ready), actor=org.head)
        assert plan_of(plan_ready).is_cosigned

    def test_twice_is_a_conflict(self, org, plan_ready):
        services.plan_cosign(proposal=plan_ready, actor=org.head)
        with pytest.raises(Conflict):
            services.plan_cosign(proposal=fresh(plan_ready), actor=org.head)

    def test_an_incomplete_plan_cannot_be_cosigned(self, org, approved):
        services.plan_save(proposal=approved, actor=org.head, people="Hai cán bộ")
        before = written(approved)
        with pytest.raises(Invalid) as error:
            services.plan_cosign(proposal=fresh(approved), actor=org.head)
        assert {"start_date", "kpis", "milestones", "monitors", "risk_declaration"} <= set(
            error.value.errors
        )
        assert written(approved) == before

    def test_no_plan_yet(self, org, approved):
        with pytest.raises(Invalid) as error:
            services.plan_cosign(proposal=approved, actor=org.head)
        assert "plan" in error.value.errors

    def test_only_the_head_who_approved(self, org, tree):
        """The agency's head authors a proposal: the province's head decides it, then supervises
        it (prepares the plan and co-signs it); the agency's head does neither."""
        proposal = head_authored(org)
        assert proposal.deciding_unit == org.province
        with pytest.raises(Forbidden):
            planned(proposal, head=org.head, monitors=[org.inspector])
        planned(proposal, head=org.province_head, monitors=[org.inspector])
        with pytest.raises(Forbidden):
            services.plan_cosign(proposal=fresh(proposal), actor=org.head)
        with pytest.raises(Forbidden):
            services.plan_cosign(proposal=fresh(proposal), actor=org.deputy1)
        services.plan_cosign(proposal=fresh(proposal), actor=org.province_head)
        assert plan_of(proposal).cosigned_by == org.province_head
        with pytest.raises(Forbidden):
            services.pilot_start(proposal=fresh(proposal), actor=org.head)
        services.pilot_start(proposal=fresh(proposal), actor=org.province_head)
        assert fresh(proposal).state == State.IN_PROGRESS

    def test_every_version_is_cosigned_also_while_the_work_runs(self, org, running):
        """An approved adjustment makes a new plan version: the approving head co-signs it too."""
        adjustment = services.adjustment_request(
            proposal=running, actor=org.cadre, reasons="Thêm người.", changes={"people": "5 người"}
        )
        services.adjustment_approve(adjustment=adjustment, actor=org.head)
        plan = plan_of(running)
        assert plan.version == 2 and not plan.is_cosigned and plan.cosigned_version == 1
        with pytest.raises(Forbidden):
            services.plan_cosign(proposal=fresh(running), actor=org.cadre)
        plan = services.plan_cosign(proposal=fresh(running), actor=org.head)
        assert plan.is_cosigned and plan.cosigned_version == 2
        entry = last_event(running)
        assert (entry.event, entry.payload["plan_version"]) == ("plan_cosign", 2)
        with pytest.raises(Conflict):
            services.plan_cosign(proposal=fresh(running), actor=org.head)

    def test_not_after_the_work_ended(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        with pytest.raises(Conflict):
            services.plan_cosign(proposal=fresh(running), actor=org.head)


def head_authored(org):
    """The agency's head's own proposal, decided by the province (Decree 73, Art. 7(4))."""
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.head)
    return approved(proposal, author=org.head, head=org.province_head, party=org.province_party)


class TestSeparationOfDuties:
    """Nobody supervises their own proposal: when an author heads the home unit, every "head of
    home unit" step passes to the head of the deciding unit (amendments of 2026-11-29)."""

    @pytest.fixture
    def own(self, org):
        proposal = head_authored(org)
        return started(proposal, head=org.province_head, monitors=[org.inspector])

    def test_the_province_head_suspends_resumes_and_terminates(self, org, own):
        for who in (org.head, org.deputy1):
            with pytest.raises(Forbidden):
                services.pilot_suspend(proposal=fresh(own), actor=who, reason="Rà soát.")
        services.pilot_suspend(proposal=fresh(own), actor=org.province_head, reason="Rà soát.")
        with pytest.raises(Forbidden):
            services.pilot_resume(proposal=fresh(own), actor=org.head)
        services.pilot_resume(proposal=fresh(own), actor=org.province_head)
        with pytest.raises(Forbidden):
            services.pilot_terminate(proposal=fresh(own), actor=org.head, reason="Dừng.")
        services.pilot_terminate(proposal=fresh(own), actor=org.province_head, reason="Dừng.")
        assert fresh(own).state == State.ENDED
        assert last_event(own).actor == org.province_head

    def test_the_province_head_completes_not_the_author(self, org, own):
        with pytest.raises(Forbidden):
            services.pilot_complete(proposal=fresh(own), actor=org.head)
        services.pilot_complete(proposal=fresh(own), actor=org.province_head)
        assert fresh(own).state == State.ENDED
        # The authors still report on their own work.
        services.pilot_submit_final_report(
            proposal=fresh(own),
            actor=org.head,
            report="Báo cáo trung thực.",
            kpi_values={"Thời gian giải quyết hồ sơ": "12", "Tỷ lệ hồ sơ trực tuyến": "65"},
        )
        assert fresh(own).state == State.EVALUATING

    def test_the_province_head_decides_adjustments(self, org, own):
        adjustment = services.adjustment_request(
            proposal=fresh(own), actor=org.head, reasons="Lùi hạn.", changes={"people": "4 người"}
        )
        with pytest.raises(Forbidden):
            services.adjustment_approve(adjustment=adjustment, actor=org.head)
        services.adjustment_approve(adjustment=adjustment, actor=org.province_head)
        assert plan_of(own).version == 2

    def test_another_unit_sees_nothing(self, org, own):
        with pytest.raises(NotFound):
            services.pilot_suspend(proposal=fresh(own), actor=org.commune_head, reason="Rà soát.")

    def test_a_cadres_proposal_stays_with_the_home_head(self, org, running):
        with pytest.raises(NotFound):  # the province has no part in the agency's own decision
            services.pilot_suspend(proposal=running, actor=org.province_head, reason="Rà soát.")
        services.pilot_suspend(proposal=fresh(running), actor=org.head, reason="Rà soát.")


# --- transitions ------------------------------------------------------------------------------


class TestStart:
    def test_head_starts_on_the_full_cosigned_plan(self, org, plan_ready):
        services.plan_cosign(proposal=plan_ready, actor=org.head)
        proposal = services.pilot_start(proposal=fresh(plan_ready), actor=org.head)
        assert fresh(proposal).state == State.IN_PROGRESS
        plan = plan_of(proposal)
        assert plan.started_at is not None
        assert plan.next_report_period == 1
        assert plan.next_report_due.isoformat() == plan.schedule[0]["due"]
        entry = last_event(proposal)
        assert (entry.event, entry.from_state, entry.to_state) == (
            "start",
            State.APPROVED,
            State.IN_PROGRESS,
        )
        assert entry.payload["plan_hash"] == plan.content_hash
        assert entry.payload["cosigned_by"] == "head"
        assert entry.dossier_hash == fresh(proposal).versions.get(number=1).content_hash

    def test_requires_the_whole_plan(self, org, approved):
        services.plan_save(proposal=approved, actor=org.head, people="Hai cán bộ")
        before = written(approved)
        with pytest.raises(Invalid) as error:
            services.pilot_start(proposal=fresh(approved), actor=org.head)
        assert {"kpis", "milestones", "monitors", "cosignature", "budget_amount"} <= set(
            error.value.errors
        )
        assert written(approved) == before

    def test_without_a_plan(self, org, approved):
        with pytest.raises(Invalid) as error:
            services.pilot_start(proposal=approved, actor=org.head)
        assert "plan" in error.value.errors

    def test_an_author_cannot_start(self, org, plan_ready):
        services.plan_cosign(proposal=plan_ready, actor=org.head)
        with pytest.raises(Forbidden):
            services.pilot_start(proposal=fresh(plan_ready), actor=org.cadre)

    def test_another_unit_gets_404(self, org, plan_ready):
        with pytest.raises(NotFound):
            services.pilot_start(proposal=plan_ready, actor=org.commune_head)

    def test_wrong_state(self, org, running):
        with pytest.raises(Conflict):
            services.pilot_start(proposal=running, actor=org.head)

    def test_a_plan_that_ended_already_cannot_start(self, org, approved):
        start = timezone.localdate() - datetime.timedelta(days=200)
        planned(approved, head=org.head, monitors=[org.inspector], cosigner=org.head, start=start)
        with pytest.raises(Invalid) as error:
            services.pilot_start(proposal=fresh(approved), actor=org.head)
        assert "end_date" in error.value.errors


class TestSuspendResumeTerminate:
    def test_suspend_and_resume(self, org, running):
        services.pilot_suspend(proposal=running, actor=org.head, reason="Kiểm tra phát hiện sai")
        assert fresh(running).state == State.SUSPENDED
        entry = last_event(running)
        assert (entry.event, entry.payload["reason"]) == ("suspend", "Kiểm tra phát hiện sai")
        services.pilot_resume(proposal=fresh(running), actor=org.head)
        assert fresh(running).state == State.IN_PROGRESS
        assert last_event(running).event == "resume"

    def test_suspend_needs_a_reason(self, org, running):
        before = written(running)
        with pytest.raises(Invalid) as error:
            services.pilot_suspend(proposal=running, actor=org.head, reason="  ")
        assert "reason" in error.value.errors
        assert written(running) == before

    @pytest.mark.parametrize("who", ["cadre", "deputy1", "inspector"])
    def test_only_the_home_head_suspends(self, org, running, who):
        with pytest.raises(Forbidden):
            services.pilot_suspend(proposal=running, actor=getattr(org, who), reason="x")

    def test_another_unit(self, org, running):
        with pytest.raises(NotFound):
            services.pilot_suspend(proposal=running, actor=org.commune_head, reason="x")

    def test_wrong_states(self, org, running, approved):
        with pytest.raises(Conflict):
            services.pilot_resume(proposal=running, actor=org.head)
        with pytest.raises(Conflict):
            services.pilot_suspend(proposal=approved, actor=org.head, reason="x")

    @pytest.mark.parametrize("suspend_first", [False, True])
    def test_terminate_ends_early_and_sets_the_final_report_due(self, org, running, suspend_first):
        if suspend_first:
            services.pilot_suspend(proposal=running, actor=org.head, reason="Tạm dừng")
        with time_machine.travel(datetime.datetime(2027, 1, 8, 9, tzinfo=datetime.UTC)):
            services.pilot_terminate(
                proposal=fresh(running), actor=org.head, reason="Không hiệu quả"
            )
        assert fresh(running).state == State.ENDED
        plan = plan_of(running)
        assert plan.ended_early
        # Friday 8 January 2027 + 5 working days = Friday 15 January.
        assert plan.final_report_due == datetime.date(2027, 1, 15)
        entry = last_event(running)
        assert entry.event == "terminate"
        assert entry.payload["reason"] == "Không hiệu quả"
        assert entry.payload["final_report_due"] == "2027-01-15"

    def test_terminate_needs_a_reason_and_the_head(self, org, running):
        before = written(running)
        with pytest.raises(Invalid):
            services.pilot_terminate(proposal=running, actor=org.head, reason="")
        with pytest.raises(Forbidden):
            services.pilot_terminate(proposal=running, actor=org.cadre, reason="x")
        assert written(running) == before


class TestCompleteAndFinalReport:
    def test_an_author_completes(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        proposal = fresh(running)
        assert proposal.state == State.ENDED
        plan = plan_of(proposal)
        assert not plan.ended_early and plan.final_report_due is not None
        assert last_event(proposal).event == "complete"

    def test_head_cannot_complete_and_suspended_cannot_complete(self, org, running):
        with pytest.raises(Forbidden):
            services.pilot_complete(proposal=running, actor=org.head)
        services.pilot_suspend(proposal=running, actor=org.head, reason="x")
        with pytest.raises(Conflict):
            services.pilot_complete(proposal=fresh(running), actor=org.cadre)

    def test_final_report_with_every_kpi(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        kpis = list(plan_of(running).kpis.all())
        services.pilot_submit_final_report(
            proposal=fresh(running),
            actor=org.cadre,
            report="Đã đạt mục tiêu về thời gian xử lý.",
            kpi_values=[{"kpi": kpis[0].pk, "value": "9"}, {"kpi": kpis[1].pk, "value": 62}],
        )
        proposal = fresh(running)
        assert proposal.state == State.EVALUATING
        final = FinalReport.objects.get(plan__proposal=proposal)
        assert not final.late
        assert {v.kpi_id: str(v.value) for v in final.values.all()} == {
            kpis[0].pk: "9.0000",
            kpis[1].pk: "62.0000",
        }
        entry = last_event(proposal)
        assert entry.event == "submit_final_report"
        assert entry.payload["kpi_values"] == [
            {"kpi": kpis[0].pk, "name": kpis[0].name, "unit": "ngày", "value": "9"},
            {"kpi": kpis[1].pk, "name": kpis[1].name, "unit": "%", "value": "62"},
        ]
        assert proposal_verify(proposal).valid

    def test_late_final_report_is_flagged(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        due = plan_of(running).final_report_due
        names = {k.name: "1" for k in plan_of(running).kpis.all()}
        with time_machine.travel(due + datetime.timedelta(days=3)):
            services.pilot_submit_final_report(
                proposal=fresh(running), actor=org.cadre, report="Muộn", kpi_values=names
            )
        final = FinalReport.objects.get(plan__proposal=running)
        assert final.late and last_event(running).payload["late"] is True

    def test_every_kpi_must_have_its_final_value(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        kpi = plan_of(running).kpis.first()
        before = written(running)
        with pytest.raises(Invalid) as error:
            services.pilot_submit_final_report(
                proposal=fresh(running),
                actor=org.cadre,
                report="x",
                kpi_values=[{"kpi": kpi.pk, "value": 1}],
            )
        assert "Tỷ lệ hồ sơ trực tuyến" in error.value.errors["kpi_values"][0]
        assert written(running) == before

    def test_a_kpi_not_in_the_plan_is_refused_clearly(self, org, running):
        services.pilot_complete(proposal=running, actor=org.cadre)
        before = written(running)
        with pytest.raises(Invalid) as error:
            services.pilot_submit_final_report(
                proposal=fresh(running),
                actor=org.cadre,
                report="x",
                kpi_values={"Số người hài lòng": 3},
            )
        message = error.value.errors["kpi_values"][0]
        assert "Số người hài lòng" in message and "Thời gian giải quyết hồ sơ" in message
        assert written(running) == before

    def test_roles_and_states(self, org, running):
        with pytest.raises(Conflict):
            services.pilot_submit_final_report(
                proposal=running, actor=org.cadre, report="x", kpi_values=[]
            )
        services.pilot_complete(proposal=running, actor=org.cadre)
        with pytest.raises(Forbidden):
            services.pilot_submit_final_report(
                proposal=fresh(running), actor=org.head, report="x", kpi_values=[]
            )
        with pytest.raises(NotFound):
            services.pilot_submit_final_report(
                proposal=fresh(running), actor=org.commune_cadre, report="x", kpi_values=[]
            )
        with pytest.raises(Invalid) as error:
            services.pilot_submit_final_report(
                proposal=fresh(running), actor=org.cadre, report="", kpi_values=[]
            )
        assert {"report", "kpi_values"} <= set(error.value.errors)


# --- progress reports -------------------------------------------------------------------------


class TestProgressReport:
    def test_an_author_files_the_report_of_the_next_period(self, org, running):
        kpi = plan_of(running).kpis.get(name="Tỷ lệ hồ sơ trực tuyến")
        upload = SimpleUploadedFile("bien-ban.png", PNG, content_type="image/png")
        report = services.report_file(
            proposal=running,
            actor=org.cadre,
            narrative="Đã khảo sát 3 sở.",
            kpi_values=[{"kpi": kpi.pk, "value": "12.5"}],
            attachments=[upload],
        )
        assert report.period == 1 and not report.late
        assert [str(v.value) for v in report.values.all()] == ["12.5000"]
        attachment = report.attachments.get()
        assert attachment.content_type == "image/png" and attachment.file.read() == PNG
        plan = plan_of(running)
        assert plan.next_report_period == 2
        assert plan.next_report_due.isoformat() == plan.schedule[1]["due"]
        entry = last_event(running)
        assert entry.event == "progress_report"
        assert entry.payload["period"] == 1 and entry.payload["late"] is False
        assert entry.payload["kpi_values"][0]["value"] == "12.5"
        assert entry.payload["attachments"][0]["sha256"] == attachment.sha256

    def test_a_late_report_is_flagged(self, org, running):
        due = plan_of(running).next_report_due
        with time_machine.travel(due + datetime.timedelta(days=2)):
            report = services.report_file(proposal=running, actor=org.cadre, narrative="Muộn")
        assert report.late
        assert last_event(running).payload["late"] is True

    def test_a_kpi_not_in_the_plan_is_refused_with_a_clear_message(self, org, running):
        before = written(running)
        with translation.override("en"), pytest.raises(Invalid) as error:
            services.report_file(
                proposal=running,
                actor=org.cadre,
                narrative="x",
                kpi_values=[{"kpi": 999999, "value": "1"}],
            )
        (message,) = error.value.errors["kpi_values"]
        assert message == (
            "“999999” is not a KPI of this plan. The plan's KPIs are: "
            "“Thời gian giải quyết hồ sơ”, “Tỷ lệ hồ sơ trực tuyến”."
        )
        assert written(running) == before

    def test_a_value_no_kpi_of_its_kind_can_have_is_refused(self, org, running):
        """The phone probe's report: a time of -40 and a share of 250 % were filed and shown."""
        days, share = plan_of(running).kpis.order_by("position")
        before = written(running)
        with pytest.raises(Invalid) as error:
            services.report_file(
                proposal=running,
                actor=org.cadre,
                narrative="Kỳ 1",
                kpi_values=[{"kpi": days.pk, "value": "-40"}, {"kpi": share.pk, "value": "250"}],
            )
        assert error.value.errors["kpi_values"] == [
            "“Thời gian giải quyết hồ sơ” không thể là số âm (giá trị ban đầu và mục tiêu "
            "của chỉ tiêu này đều không âm).",
            "“Tỷ lệ hồ sơ trực tuyến” là tỷ lệ phần trăm: tối đa 100.",
        ]
        assert written(running) == before
        services.report_file(
            proposal=running,
            actor=org.cadre,
            narrative="Kỳ 1",
            kpi_values=[{"kpi": days.pk, "value": "0"}, {"kpi": share.pk, "value": "100"}],
        )

    def test_a_kpi_of_another_plan_is_refused(self, org, running):
        other = started(
            approved(
                ProposalFactory(home_unit=org.agency, created_by=org.cadre2),
                author=org.cadre2,
                head=org.head,
                party=org.party,
                voters=[org.deputy1],
            ),
            head=org.head,
            monitors=[org.inspector],
        )
        foreign = plan_of(other).kpis.first()
        with pytest.raises(Invalid):
            services.report_file(
                proposal=running,
                actor=org.cadre,
                narrative="x",
                kpi_values=[{"kpi": foreign.pk, "value": "1"}],
            )

    def test_bad_values_and_attachments_write_nothing(self, org, running):
        kpi = plan_of(running).kpis.first()
        before = written(running)
        with pytest.raises(Invalid) as error:
            services.report_file(
                proposal=running,
                actor=org.cadre,
                narrative="",
                kpi_values=[{"kpi": kpi.pk, "value": "nhiều"}],
                attachments=[SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 50)],
            )
        assert {"narrative", "kpi_values", "attachments"} <= set(error.value.errors)
        assert written(running) == before

    def test_one_report_per_period_and_no_future_period(self, org, running):
        services.report_file(proposal=running, actor=org.cadre, narrative="Kỳ 1", period=1)
        with pytest.raises(Invalid) as error:
            services.report_file(proposal=fresh(running), actor=org.cadre, narrative="x", period=1)
        assert "period" in error.value.errors
        with pytest.raises(Invalid) as error:
            services.report_file(proposal=fresh(running), actor=org.cadre, narrative="x", period=3)
        assert "period" in error.value.errors
        with pytest.raises(Invalid):
            services.report_file(proposal=fresh(running), actor=org.cadre, narrative="x", period=99)

    def test_only_authors_file_reports(self, org, running):
        for user in (org.head, org.deputy1, org.inspector):
            with pytest.raises(Forbidden):
                services.report_file(proposal=running, actor=user, narrative="x")
        # A cadre who is not an author does not see the proposal, nor does another unit.
        for user in (org.cadre2, org.commune_cadre):
            with pytest.raises(NotFound):
                services.report_file(proposal=running, actor=user, narrative="x")

    def test_only_while_in_progress(self, org, running):
        services.pilot_suspend(proposal=running, actor=org.head, reason="x")
        with pytest.raises(Conflict):
            services.report_file(proposal=fresh(running), actor=org.cadre, narrative="x")


class TestMilestones:
    def test_mark_done_and_reopen(self, org, running):
        milestone = plan_of(running).milestones.first()
        services.milestone_set_done(milestone=milestone, actor=org.cadre, done=True)
        milestone.refresh_from_db()
        assert milestone.done and milestone.done_at
        entry = last_event(running)
        assert entry.event == "milestone_done"
        assert (entry.payload["milestone_id"], entry.payload["done_at"]) == (
            milestone.pk,
            milestone.done_at.isoformat(),
        )
        services.milestone_set_done(milestone=milestone, actor=org.head, done=False)
        entry = last_event(running)
        assert entry.event == "milestone_reopened"
        assert entry.payload["milestone_id"] == milestone.pk and "done_at" not in entry.payload
        assert proposal_verify(fresh(running)).valid

    def test_an_adjustment_may_rename_or_drop_a_marked_milestone(self, org, running):
        """Verification follows the milestones through the plan's versions: renaming a milestone
        marked done, or dropping one, by an approved adjustment is no tampering."""
        first, second, third = plan_of(running).milestones.order_by("due_date")
        services.milestone_set_done(milestone=first, actor=org.cadre, done=True)
        services.milestone_set_done(milestone=second, actor=org.cadre, done=True)
        adjustment = services.adjustment_request(
            proposal=fresh(running),
            actor=org.cadre,
            reasons="Gộp hai mốc cuối.",
            changes={
                "milestones": [
                    {"id": first.pk, "name": "Khảo sát xong", "due_date": first.due_date},
                    {"id": third.pk, "name": third.name, "due_date": third.due_date},
                ]
            },
        )
        services.adjustment_approve(adjustment=adjustment, actor=org.head, reasons="Đồng ý.")
        assert set(plan_of(running).milestones.values_list("name", flat=True)) == {
            "Khảo sát xong",
            third.name,
        }
        assert proposal_verify(fresh(running)).valid
        services.milestone_set_done(
            milestone=plan_of(running).milestones.get(pk=first.pk), actor=org.head, done=False
        )
        assert proposal_verify(fresh(running)).valid

    def test_roles(self, org, running):
        milestone = plan_of(running).milestones.first()
        with pytest.raises(Forbidden):
            services.milestone_set_done(milestone=milestone, actor=org.inspector)
        with pytest.raises(NotFound):
            services.milestone_set_done(milestone=milestone, actor=org.commune_head)


# --- inspections ------------------------------------------------------------------------------


class TestInspection:
    def record(self, proposal, actor, **overrides):
        data = {
            "date": timezone.localdate(),
            "findings": "Hồ sơ lưu trữ chưa đầy đủ.",
            "recommendations": "Bổ sung sổ theo dõi.",
            "assessment": "concerns",
        }
        data.update(overrides)
        return services.inspection_record(proposal=proposal, actor=actor, **data)

    def test_a_monitor_records_an_inspection(self, org, running):
        inspection = self.record(running, org.inspector)
        assert inspection.assessment == "concerns"
        entry = last_event(running)
        assert entry.event == "inspection"
        assert entry.payload["findings"] == "Hồ sơ lưu trữ chưa đầy đủ."
        assert entry.payload["assessment"] == "concerns"

    def test_also_while_suspended(self, org, running):
        services.pilot_suspend(proposal=running, actor=org.head, reason="x")
        self.record(fresh(running), org.inspector, assessment="serious")

    def test_an_inspector_who_is_not_a_monitor_is_forbidden(self, org, running):
        with pytest.raises(Forbidden):
            self.record(running, org.agency_inspector)
        with pytest.raises(Forbidden):
            self.record(running, org.head)

    def test_a_monitor_of_another_subtree_cannot_see_the_pilot(self, org, running):
        from guardian.shortcuts import assign_perm

        # Even with the grant written behind the services' back.
        assign_perm("pilots.monitor_plan", org.commune_inspector, plan_of(running))
        with pytest.raises(NotFound):
            self.record(running, org.commune_inspector)

    def test_wrong_state(self, org, running, plan_ready):
        with pytest.raises(Conflict):
            self.record(plan_ready, org.inspector)
        services.pilot_complete(proposal=running, actor=org.cadre)
        with pytest.raises(Conflict):
            self.record(fresh(running), org.inspector)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"date": "bad"}, "date"),
            ({"date": timezone.localdate() + datetime.timedelta(days=3)}, "date"),
            ({"findings": " "}, "findings"),
            ({"assessment": "excellent"}, "assessment"),
        ],
    )
    def test_bad_input(self, org, running, overrides, field):
        before = written(running)
        with pytest.raises(Invalid) as error:
            self.record(running, org.inspector, **overrides)
        assert field in error.value.errors
        assert written(running) == before


# --- adjustments ------------------------------------------------------------------------------


class TestAdjustment:
    def request(self, org, proposal, **changes):
        return services.adjustment_request(
            proposal=proposal,
            actor=org.cadre,
            reasons="Cần thêm thời gian vận hành thử.",
            changes=changes,
        )

    def test_request_then_approve_makes_a_new_plan_version(self, org, running):
        plan = plan_of(running)
        new_end = plan.end_date + datetime.timedelta(days=30)
        kpis = [
            {
                "id": k.pk,
                "name": k.name,
                "unit": k.unit,
                "baseline": k.baseline,
                "target": k.target,
                "direction": k.direction,
            }
            for k in plan.kpis.all()
        ]
        kpis[1]["target"] = "70"
        adjustment = self.request(
            org, running, end_date=new_end, kpis=kpis, budget_amount=plan.budget_amount
        )
        assert set(adjustment.changes) == {"end_date", "kpis"}  # the budget did not change
        entry = last_event(running)
        assert entry.event == "adjustment_request"
        assert entry.payload["changes"]["end_date"] == new_end.isoformat()

        services.adjustment_approve(adjustment=adjustment, actor=org.head, reasons="Đồng ý")
        adjustment.refresh_from_db()
        plan = plan_of(running)
        assert adjustment.status == "approved" and adjustment.resulting_version == 2
        assert plan.version == 2 and plan.end_date == new_end
        assert str(plan.kpis.get(pk=kpis[1]["id"]).target) == "70.0000"
        assert plan.schedule[-1]["end"] == new_end.isoformat()
        version = PlanVersion.objects.get(plan=plan, number=2)
        assert version.reason == "adjustment"
        entry = last_event(running)
        assert entry.event == "adjustment_approve"
        assert entry.payload["plan_hash"] == version.content_hash == plan.content_hash
        assert proposal_verify(running).valid

    def test_a_removed_kpi_with_values_is_retired_not_deleted(self, org, running):
        plan = plan_of(running)
        first, second = plan.kpis.all()
        services.report_file(
            proposal=running,
            actor=org.cadre,
            narrative="x",
            kpi_values=[{"kpi": first.pk, "value": 20}],
        )
        keep = [
            {
                "id": second.pk,
                "name": second.name,
                "unit": second.unit,
                "baseline": second.baseline,
                "target": second.target,
                "direction": second.direction,
            },
            {"name": "Mức độ hài lòng", "unit": "%", "baseline": 50, "target": 90},
        ]
        adjustment = self.request(org, fresh(running), kpis=keep)
        services.adjustment_approve(adjustment=adjustment, actor=org.head)
        first.refresh_from_db()
        assert first.retired
        assert [k.name for k in plan.kpis.filter(retired=False)] == [
            "Tỷ lệ hồ sơ trực tuyến",
            "Mức độ hài lòng",
        ]

    def test_reject_needs_reasons_and_changes_nothing(self, org, running):
        adjustment = self.request(org, running, people="Thêm 2 cán bộ")
        with pytest.raises(Invalid):
            services.adjustment_reject(adjustment=adjustment, actor=org.head, reasons="")
        services.adjustment_reject(adjustment=adjustment, actor=org.head, reasons="Chưa cần")
        adjustment.refresh_from_db()
        assert adjustment.status == "rejected"
        assert plan_of(running).version == 1
        assert last_event(running).event == "adjustment_reject"
        with pytest.raises(Conflict):
            services.adjustment_approve(adjustment=adjustment, actor=org.head)

    def test_nothing_changed_is_refused(self, org, running):
        plan = plan_of(running)
        before = written(running)
        with pytest.raises(Invalid) as error:
            self.request(org, running, start_date=plan.start_date, people=plan.people)
        assert "changes" in error.value.errors
        assert written(running) == before

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"end_date": "2000-01-01"}, "end_date"),
            ({"start_date": None}, "start_date"),
            ({"monitors": []}, "monitors"),
            (
                {"kpis": [{"id": 123456, "name": "x", "unit": "%", "baseline": 1, "target": 2}]},
                None,
            ),
        ],
    )
    def test_bad_changes(self, org, running, changes, field):
        before = written(running)
        if field is None:
            adjustment = self.request(org, running, **changes)
            with pytest.raises(Invalid) as error:
                services.adjustment_approve(adjustment=adjustment, actor=org.head)
            assert "kpis" in error.value.errors
            return
        with pytest.raises(Invalid) as error:
            self.request(org, running, **changes)
        assert field in error.value.errors
        assert written(running) == before

    def test_one_pending_at_a_time(self, org, running):
        self.request(org, running, people="Thêm 1 cán bộ")
        with pytest.raises(Conflict):
            self.request(org, fresh(running), people="Thêm 3 cán bộ")

    def test_roles(self, org, running):
        with pytest.raises(Forbidden):
            services.adjustment_request(
                proposal=running, actor=org.head, reasons="x", changes={"people": "y"}
            )
        with pytest.raises(NotFound):
            services.adjustment_request(
                proposal=running, actor=org.commune_cadre, reasons="x", changes={"people": "y"}
            )
        adjustment = self.request(org, running, people="Thêm 1 cán bộ")
        for user in (org.cadre, org.deputy1, org.inspector):
            with pytest.raises(Forbidden):
                services.adjustment_approve(adjustment=adjustment, actor=user)
        with pytest.raises(NotFound):
            services.adjustment_approve(adjustment=adjustment, actor=org.commune_head)

    def test_wrong_state(self, org, running, plan_ready):
        with pytest.raises(Conflict):
            services.adjustment_request(
                proposal=plan_ready, actor=org.cadre, reasons="x", changes={"people": "y"}
            )
        adjustment = self.request(org, running, people="Thêm 1 cán bộ")
        services.pilot_complete(proposal=fresh(running), actor=org.cadre)
        with pytest.raises(Conflict):
            services.adjustment_approve(adjustment=adjustment, actor=org.head)


def test_the_whole_ledger_verifies_after_a_full_pilot(org, running):
    kpis = list(plan_of(running).kpis.all())
    services.report_file(
        proposal=running,
        actor=org.cadre,
        narrative="Kỳ 1",
        kpi_values={str(kpis[0].pk): 25},
        attachments=[io.BytesIO(PNG) and SimpleUploadedFile("a.png", PNG)],
    )
    services.inspection_record(
        proposal=fresh(running),
        actor=org.inspector,
        date=timezone.localdate(),
        findings="Tốt",
        assessment="good",
    )
    services.pilot_suspend(proposal=fresh(running), actor=org.head, reason="Tạm dừng")
    services.pilot_resume(proposal=fresh(running), actor=org.head)
    services.pilot_complete(proposal=fresh(running), actor=org.cadre)
    services.pilot_submit_final_report(
        proposal=fresh(running),
        actor=org.cadre,
        report="Kết quả",
        kpi_values={k.name: 1 for k in kpis},
    )
    events = [e.event for e in ledger(running)]
    assert events[-9:] == [
        "plan_version",
        "plan_cosign",
        "start",
        "progress_report",
        "inspection",
        "suspend",
        "resume",
        "complete",
        "submit_final_report",
    ]
    assert proposal_verify(running).valid


def test_a_proposal_put_in_approved_without_the_services_has_no_approving_head(org):
    proposal = in_state(ProposalFactory(home_unit=org.agency, created_by=org.cadre), "approved")
    planned(proposal, head=org.head, monitors=[org.inspector])
    with pytest.raises(Forbidden):
        services.plan_cosign(proposal=fresh(proposal), actor=org.head)
