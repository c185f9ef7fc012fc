"""Pilots through the real services: an approved proposal, a complete plan, a started pilot.

The proposal is approved with `proposals.services` (not `in_state`), so the ledger names the head
who fired `approve`: the one who co-signs the plan's risk declaration."""

from datetime import timedelta

from django.utils import timezone

from pilots import services
from proposals import services as proposal_services
from tests.factories.proposals import CONDITIONS_MET, ProposalFactory, committee_reference, fresh


def approved(proposal, *, author, head, party, voters=(), mode="pilot"):
    """Submits, reviews, records the Party committee's opinion, votes and approves."""
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=author)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=head)
    proposal_services.opinion_record(
        proposal=fresh(proposal),
        actor=party,
        stage="decision",
        stance="agree",
        text="Đồng ý chủ trương thí điểm.",
        **committee_reference(),
    )
    for voter in (head, *voters):
        proposal_services.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
    proposal_services.proposal_approve(
        proposal=fresh(proposal), actor=head, mode=mode, **CONDITIONS_MET
    )
    return fresh(proposal)


def plan_data(*, monitors, start=None, days=180, **overrides) -> dict:
    """Inputs of a complete plan: three milestones, two KPIs, resources, monitors, risks."""
    start = start or timezone.localdate()
    end = start + timedelta(days=days)
    data = {
        "start_date": start,
        "end_date": end,
        "reporting_cadence": "monthly",
        "budget_amount": 500_000_000,
        "budget_details": "Ngân sách sự nghiệp năm 2026.",
        "people": "3 cán bộ Phòng Cải cách hành chính.",
        "equipment": "Máy chủ và phần mềm một cửa điện tử.",
        "risk_declaration": "Rủi ro: hệ thống quá tải; biện pháp: triển khai theo từng đợt.",
        "monitors": list(monitors),
        "milestones": [
            {"name": "Khảo sát hiện trạng", "due_date": start + timedelta(days=30)},
            {"name": "Vận hành thử", "due_date": start + timedelta(days=90)},
            {"name": "Tổng kết", "due_date": end},
        ],
        "kpis": [
            {
                "name": "Thời gian giải quyết hồ sơ",
                "unit": "ngày",
                "baseline": "30",
                "target": "10",
                "direction": "lower",
            },
            {
                "name": "Tỷ lệ hồ sơ trực tuyến",
                "unit": "%",
                "baseline": "5",
                "target": "60",
                "direction": "higher",
            },
        ],
    }
    data.update(overrides)
    return data


def planned(proposal, *, head, monitors, cosigner=None, **overrides):
    """A saved plan (co-signed by `cosigner` when given)."""
    plan = services.plan_save(
        proposal=fresh(proposal), actor=head, **plan_data(monitors=monitors, **overrides)
    )
    if cosigner is not None:
        plan = services.plan_cosign(proposal=fresh(proposal), actor=cosigner)
    return plan


def started(proposal, *, head, monitors, **overrides):
    planned(proposal, head=head, monitors=monitors, cosigner=head, **overrides)
    return fresh(services.pilot_start(proposal=fresh(proposal), actor=head))


def approved_proposal(org, **fields):
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre, **fields)
    return approved(
        proposal,
        author=org.cadre,
        head=org.head,
        party=org.party,
        voters=[org.deputy1, org.deputy2],
    )


def running_pilot(org, **overrides):
    """An approved proposal of org.agency, planned, co-signed and started by org.head."""
    return started(approved_proposal(org), head=org.head, monitors=[org.inspector], **overrides)
