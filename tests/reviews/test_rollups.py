"""The dashboard's roll-ups (reviews/rollups.py, issue 12): after a pseudo-random sequence of steps
through the real services, spread over several quarters, the counters equal a recount from the
rows; `rebuild_rollups` recomputes them; a moved unit takes its figures along."""

import contextlib
import datetime
import random

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kl14.errors import DomainError
from proposals import services as proposal_services
from proposals.models import ProposalAuthor, State
from reviews import rollups
from reviews import services as review_services
from reviews.models import Decision, Outcome, Rollup, RollupShare
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
)
from tests.factories.reviews import decided, evaluated, recognised, replicated
from units.models import Unit
from units.services import unit_update

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=7))
START = datetime.datetime(2025, 11, 3, 9, tzinfo=TZ)


def _decide(proposal, org, *, approve):
    proposal_services.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Ừ.",
        **committee_reference(),
    )
    if approve:
        for voter in (org.head, org.deputy):
            proposal_services.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
        proposal_services.proposal_approve(
            proposal=fresh(proposal), actor=org.head, mode="pilot", **CONDITIONS_MET
        )
    else:
        proposal_services.proposal_reject(proposal=fresh(proposal), actor=org.head, reasons="Chưa.")


def _steps(org):
    """What may happen to a proposal in each state, through the services (the later stages from
    `evaluating`, which the factories set behind the services' back, as a bulk load would)."""
    head, author = org.head, org.cadre
    return {
        State.DRAFT: [
            lambda p: proposal_services.proposal_submit(proposal=fresh(p), actor=author),
        ],
        State.RETURNED: [
            lambda p: proposal_services.proposal_submit(proposal=fresh(p), actor=author),
            lambda p: proposal_services.proposal_withdraw(
                proposal=fresh(p), actor=author, reason="Thôi."
            ),
        ],
        State.SUBMITTED: [
            lambda p: proposal_services.proposal_open_review(proposal=fresh(p), actor=head),
            lambda p: proposal_services.proposal_return_for_revision(
                proposal=fresh(p), actor=head, comment="Sửa."
            ),
            lambda p: proposal_services.proposal_withdraw(
                proposal=fresh(p), actor=author, reason="Thôi."
            ),
        ],
        State.UNDER_REVIEW: [
            lambda p: _decide(p, org, approve=True),
            lambda p: _decide(p, org, approve=True),
            lambda p: _decide(p, org, approve=False),
            lambda p: proposal_services.proposal_return_for_revision(
                proposal=fresh(p), actor=head, comment="Sửa."
            ),
            lambda p: proposal_services.proposal_escalate(
                proposal=fresh(p), actor=head, reason="Vượt thẩm quyền."
            ),
        ],
        State.APPROVED: [
            lambda p: evaluated(p, head=head, party=org.party),
            lambda p: evaluated(p, head=head, party=org.party, outcome=Outcome.PARTIAL),
            lambda p: decided(p, head=head, party=org.party, decision=Decision.EXEMPTED),
        ],
        State.SUCCEEDED: [
            lambda p: recognised(p, board=org.orgboard, kind="praise"),
            lambda p: replicated(p, board=org.orgboard, target_units=[org.commune2.pk]),
            lambda p: review_services.lesson_publish(proposal=fresh(p), actor=head, lessons="Học."),
            lambda p: review_services.proposal_institutionalize(
                proposal=fresh(p),
                actor=org.orgboard,
                title="Quy định mới",
                issuing_level="province",
            ),
        ],
        State.REPLICATED: [
            lambda p: review_services.lesson_unpublish(proposal=fresh(p), actor=head),
            lambda p: review_services.lesson_publish(proposal=fresh(p), actor=head, lessons="Lại."),
        ],
        State.RESPONSIBILITY_REVIEW: [
            lambda p: review_services.proposal_decide_responsibility(
                proposal=fresh(p),
                actor=head,
                decision=Decision.LIABILITY_EXCLUDED,
                damage=False,
                damage_amount=None,
                reasons="Đúng kế hoạch.",
                followed_approved_plan=True,
                pure_motive=True,
                common_interest=True,
                no_personal_gain=True,
            ),
        ],
    }


def _new_proposal(org, unit):
    proposal = ProposalFactory(home_unit=unit, created_by=org.cadre)
    ProposalAuthor.objects.create(proposal=proposal, user=org.cadre2)
    return proposal


@pytest.fixture
def history(org):
    """150 steps over about five months (two quarters and a year boundary), seed 12."""
    rnd = random.Random(12)
    steps = _steps(org)
    moment = START
    proposals = []
    for _ in range(150):
        moment += datetime.timedelta(hours=rnd.randint(1, 40))
        with time_machine.travel(moment, tick=False):
            movable = [
                p for p in proposals if fresh(p).state in steps and p.home_unit == org.agency
            ]
            if len(movable) < 3 or rnd.random() < 0.15:
                unit = org.office if rnd.random() < 0.2 else org.agency
                proposals.append(_new_proposal(org, unit))
                continue
            proposal = fresh(rnd.choice(movable))
            with contextlib.suppress(DomainError):  # a step its state or people do not allow
                rnd.choice(steps[proposal.state])(proposal)
    with time_machine.travel(moment, tick=False):
        for proposal in proposals:
            if fresh(proposal).state in (State.SUCCEEDED, State.REPLICATED):
                review_services.lesson_publish(
                    proposal=fresh(proposal), actor=org.head, lessons="Ừ."
                )
                recognised(proposal, board=org.orgboard, kind="praise")
    return org


def test_the_roll_ups_equal_a_recount_after_random_steps(history):
    current = rollups.current()
    assert current == rollups.expected()
    keys = {key for (_unit, _period, key, _via) in current}
    # The sequence reached most figures (so the equality says something).
    assert {"state:submitted", "state:rejected", "submitted", "decided", "approved", "due"} <= keys
    assert {"on_time", "late", "adoption", "lesson", "outcome:achieved"} <= keys
    assert {"recognition:praise", "protection:exempted", "institutionalized"} <= keys
    periods = {period for (_unit, period, key, _via) in current if key == "submitted"}
    assert len(periods) >= 2


def test_every_proposal_counts_in_every_ancestor(history):
    province = {
        key: n
        for (unit, _p, key, _v), (n, _d) in rollups.current().items()
        if unit == history.province.pk and key.startswith("state:")
    }
    agency = {
        key: n
        for (unit, _p, key, _v), (n, _d) in rollups.current().items()
        if unit == history.agency.pk and key.startswith("state:")
    }
    assert sum(province.values()) >= sum(agency.values()) > 0


def test_rebuild_recomputes_what_the_services_kept(history):
    kept = rollups.current()
    shares = dict(RollupShare.objects.values_list("proposal_id", "cells"))
    Rollup.objects.update(n=0)
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--check")
    call_command("rebuild_rollups")
    assert rollups.current() == kept
    assert dict(RollupShare.objects.values_list("proposal_id", "cells")) == shares
    call_command("rebuild_rollups", "--check")


def test_a_proposal_set_behind_the_services_back_is_caught_by_its_next_entry(org):
    proposal = _new_proposal(org, org.agency)
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    type(proposal).objects.filter(pk=proposal.pk).update(state=State.SUBMITTED)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    assert rollups.current() == rollups.expected()


def test_a_moved_unit_takes_its_figures_along(org):
    proposal = _new_proposal(org, org.office)
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
    unit_update(unit=Unit.objects.get(pk=org.office.pk), parent=org.commune)
    assert rollups.current() == rollups.expected()
    units = {unit for (unit, _p, key, _v) in rollups.current() if key == "state:submitted"}
    assert units == {org.province.pk, org.commune.pk, org.office.pk}


def _direct(unit, period):
    """The figures as the dashboard computed them before the roll-ups, straight from the rows
    (the whole subtree per request), with its decisions keyed by deciding unit."""
    from django.db.models import Avg, Count, F, Q
    from django.utils import timezone

    from proposals.models import DECISION_STATES
    from reviews.models import (
        AbuseReferral,
        Evaluation,
        Institutionalization,
        Recognition,
        ResponsibilityDecision,
    )
    from reviews.stats import decisions_queryset, subtree_proposals

    proposals = subtree_proposals(unit).filter(period.until_q("created_at"))
    states = dict(proposals.values_list("state").annotate(n=Count("pk")).order_by())
    decided = {
        row["deciding_unit_id"]: row
        for row in decisions_queryset(unit, period)
        .values("deciding_unit_id")
        .annotate(
            decided=Count("pk"),
            approved=Count("pk", filter=~Q(state=State.REJECTED)),
            on_time=Count("pk", filter=Q(due_then__isnull=False, decided_on__lte=F("due_then"))),
            late=Count("pk", filter=Q(due_then__isnull=False, decided_on__gt=F("due_then"))),
            average=Avg("duration"),
        )
        .order_by()
    }
    totals = subtree_proposals(unit).aggregate(
        overdue=Count(
            "pk", filter=Q(state__in=DECISION_STATES, decision_due__lt=timezone.localdate())
        ),
        adoptions=Count("pk", filter=Q(origin__isnull=False) & period.q("created_at")),
        lessons=Count("pk", filter=Q(published_at__isnull=False, lesson__isnull=False)),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False) & period.q("submitted_at")),
    )
    in_subtree = Q(proposal__home_unit__path__startswith=unit.path) & period.q("created_at")

    def by(model, field):
        return dict(model.objects.filter(in_subtree).values_list(field).annotate(n=Count("pk")))

    return {
        "states": {s: n for s, n in states.items() if n},
        "deciders": decided,
        "overdue": totals["overdue"],
        "adoptions": totals["adoptions"],
        "lessons": totals["lessons"],
        "submitted": totals["submitted"],
        "outcomes": by(Evaluation, "outcome"),
        "protection": dict(
            ResponsibilityDecision.objects.filter(in_subtree, superseded_by__isnull=True)
            .values_list("decision")
            .annotate(n=Count("pk"))
        ),
        "recognitions": by(Recognition, "kind"),
        "referred": AbuseReferral.objects.filter(in_subtree).count(),
        "institutionalized": Institutionalization.objects.filter(in_subtree).count(),
    }


def test_the_dashboard_says_what_the_rows_say(history):
    """Every unit, every period the history touched: the figures read from the roll-ups equal
    the old direct computation; the unit table's rows are the children's own dashboards."""
    from reviews.stats import Period, dashboard

    periods = [
        Period(),
        Period.quarter(2025, 4),
        Period.quarter(2026, 1),
        Period.year(2025),
        Period.year(2026),
    ]
    org = history
    for unit in (org.province, org.agency, org.office, org.commune, org.commune2):
        for period in periods:
            d, rows = dashboard(unit, period), _direct(unit, period)
            assert {v: n for v, _l, n in d.states if n} == {
                s: n for s, n in rows["states"].items() if s != State.DRAFT
            }
            assert d.total == sum(rows["states"].values())
            assert (d.submitted, d.overdue_now) == (rows["submitted"], rows["overdue"])
            assert (d.adoptions, d.lessons) == (rows["adoptions"], rows["lessons"])
            assert {v: n for v, _l, n in d.outcomes if n} == rows["outcomes"]
            protection = {v: n for v, _l, n in d.protection if n}
            assert protection.pop("referred", 0) == rows["referred"]
            assert protection == rows["protection"]
            assert {v: n for v, _l, n in d.recognitions if n} == rows["recognitions"]
            assert d.institutionalized == rows["institutionalized"]
            deciders = rows["deciders"].values()
            assert d.decided == sum(r["decided"] for r in deciders)
            assert d.approved == sum(r["approved"] for r in deciders)
            assert (d.on_time, d.late) == (
                sum(r["on_time"] for r in deciders),
                sum(r["late"] for r in deciders),
            )
            if d.decided:
                average = sum(r["average"].total_seconds() * r["decided"] for r in deciders)
                assert d.average_days == round(average / d.decided / 86400, 1)
            # A decision row per deciding unit at or above the unit, per child subtree below.
            for row in d.decisions:
                decider = Unit.objects.get(pk=row.unit_id)
                if decider.depth > unit.depth:  # a child: every deciding unit in its subtree
                    inside = [
                        r["decided"]
                        for pk, r in rows["deciders"].items()
                        if Unit.objects.get(pk=pk).path.startswith(decider.path)
                    ]
                    assert row.decided == sum(inside)
                else:
                    assert row.decided == rows["deciders"][decider.pk]["decided"]
            assert sum(row.decided for row in d.decisions) == d.decided
            # The unit's own row and each child's subtree add up to the whole.
            assert sum(row.total for row in d.units) == d.total
            for row in d.units[1:]:
                assert row.total == dashboard(row.unit, period).total
    assert dashboard(org.province).decided > 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_lose_no_increment(postgres, org):
    """Six submissions at once in one unit all add to the same province and agency counters:
    each increment survives (INSERT … ON CONFLICT DO UPDATE adds to the row it finds)."""
    import threading

    from django.db import connection

    proposals = [_new_proposal(org, org.agency) for _ in range(6)]
    barrier = threading.Barrier(len(proposals))
    errors = []

    def submit(proposal):
        try:
            barrier.wait()
            proposal_services.proposal_submit(proposal=fresh(proposal), actor=org.cadre)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rollups.current() == rollups.expected()
    submitted = sum(
        n
        for (unit, _p, key, _v), (n, _d) in rollups.current().items()
        if unit == org.province.pk and key == "state:submitted"
    )
    assert submitted == 6


# --- the recount in SQL (PostgreSQL) and the moves ----------------------------------------------

UTC = datetime.UTC


def _behind_the_services_back(org):
    """Proposals as a bulk load writes them, one per rule of `proposal_cells` and `_spread` that
    a sequence through the services hardly reaches: who decided, relative to the home unit's
    chain; the local date and quarter of a moment near local midnight (UTC+7); durations with
    microseconds; adoptions; a publication without a lesson; a draft. Returns them by name."""
    from proposals.models import Proposal

    def made(name, unit, **fields):
        proposal = _new_proposal(org, unit)
        fields.setdefault("version", 1)
        fields.setdefault("created_at", datetime.datetime(2025, 8, 15, 3, tzinfo=UTC))
        fields.setdefault("submitted_at", datetime.datetime(2025, 9, 1, 2, 0, 0, 123456, UTC))
        Proposal.objects.filter(pk=proposal.pk).update(**fields)
        return name, proposal

    # 23:30 on 30 September, local time: still the third quarter, on the due date.
    before_midnight = datetime.datetime(2025, 9, 30, 16, 30, 0, 1, UTC)
    # 00:30 on 1 October, local time (30 September in UTC): the fourth quarter, a day late.
    after_midnight = datetime.datetime(2025, 9, 30, 17, 30, tzinfo=UTC)
    due = datetime.date(2025, 9, 30)
    decided = {"decided_due": due, "state": State.APPROVED}
    cases = dict(
        [
            # Decided above the home unit, below the root.
            made(
                "by_agency",
                org.office,
                deciding_unit=org.agency,
                decided_at=before_midnight,
                **decided,
            ),
            # Decided by the home unit itself, rejected, late by local date.
            made(
                "by_office",
                org.office,
                deciding_unit=org.office,
                decided_at=after_midnight,
                decided_due=due,
                state=State.REJECTED,
            ),
            # Decided at the root, no due date.
            made(
                "by_province",
                org.office,
                deciding_unit=org.province,
                decided_at=after_midnight,
                state=State.APPROVED,
            ),
            # Decided by a unit off the chain.
            made(
                "by_commune",
                org.agency,
                deciding_unit=org.commune,
                decided_at=before_midnight,
                **decided,
            ),
            # Decided by nobody recorded.
            made("by_nobody", org.agency, deciding_unit=None, decided_at=after_midnight, **decided),
            # Waiting for a decision, with its due date.
            made(
                "waiting",
                org.office,
                deciding_unit=org.agency,
                state=State.SUBMITTED,
                decision_due=datetime.date(2026, 1, 5),
            ),
            # Created at 00:30 on 1 January, local time; an adoption (decided by a directive,
            # never submitted); published without a lesson.
            made(
                "adopted",
                org.agency,
                state=State.APPROVED,
                submitted_at=None,
                decided_at=after_midnight,
                deciding_unit=org.agency,
                created_at=datetime.datetime(2025, 12, 31, 17, 30, tzinfo=UTC),
                published_at=after_midnight,
            ),
            # A minute earlier: still 2025 locally.
            made(
                "last_minute",
                org.office,
                state=State.SUBMITTED,
                created_at=datetime.datetime(2025, 12, 31, 16, 59, tzinfo=UTC),
            ),
            made("draft", org.office, version=0, submitted_at=None),
        ]
    )
    origin = cases["by_agency"]
    type(origin).objects.filter(pk=cases["adopted"].pk).update(origin=origin)
    return {name: fresh(proposal) for name, proposal in cases.items()}


def _python_shares():
    shares: list = []
    rollups._compute(shares)
    return {share.proposal_id: (share.chain, share.cells) for share in shares}


def _table_shares():
    return {p: (chain, cells) for p, chain, cells in RollupShare.objects.values_list()}


def _try_a_step(org):
    """One more transition through the services, on the first proposal that allows one."""
    from proposals.models import Proposal

    steps = _steps(org)
    for proposal in Proposal.objects.filter(home_unit=org.agency).order_by("pk"):
        for step in steps.get(proposal.state, []):
            with contextlib.suppress(DomainError):
                step(fresh(proposal))
                return
    raise AssertionError("no proposal could move")


def test_the_sql_rebuild_writes_what_python_counts(postgres, history):
    """On PostgreSQL `rebuild` is one INSERT … SELECT: its counters equal the Python recount
    exactly and its shares are the ones Python writes (so the next transition takes away exactly
    what the rebuild added)."""
    org = history
    cases = _behind_the_services_back(org)
    expected, shares = rollups.expected(), _python_shares()
    counters, counted = rollups.rebuild()
    assert rollups.current() == expected
    assert (counters, counted) == (len(expected), len(shares))
    assert _table_shares() == shares
    call_command("rebuild_rollups", "--check")

    cells = {name: shares[p.pk][1] for name, p in cases.items() if p.pk in shares}
    assert "draft" not in cells
    office, agency, province = org.office.pk, org.agency.pk, org.province.pk
    took = (cases["by_agency"].decided_at - cases["by_agency"].submitted_at) // datetime.timedelta(
        microseconds=1
    )
    # 29 days 14:29:59.876545, in microseconds.
    assert took == ((29 * 24 + 14) * 3600 + 29 * 60 + 59) * 1_000_000 + 876_545
    assert cells["by_agency"] == [
        ["approved", "2025-07-01", agency, 1, 0],
        ["decided", "2025-07-01", agency, 1, took],
        ["on_time", "2025-07-01", agency, 1, 0],
        ["state:approved", "2025-07-01", 0, 1, 0],
        ["submitted", "2025-07-01", 0, 1, 0],
    ]
    assert ["late", "2025-10-01", office, 1, 0] in cells["by_office"]
    assert "approved" not in {cell[0] for cell in cells["by_office"]}
    assert {cell[0] for cell in cells["by_province"]} >= {"decided", "approved"}
    assert not {"on_time", "late"} & {cell[0] for cell in cells["by_province"]}
    assert ["decided", "2025-10-01", 0, 1, cells["by_nobody"][1][4]] in cells["by_nobody"]
    assert ["due", "2026-01-05", 0, 1, 0] in cells["waiting"]
    assert cells["adopted"] == [
        ["adoption", "2026-01-01", 0, 1, 0],
        ["state:approved", "2026-01-01", 0, 1, 0],
    ]
    assert cells["last_minute"] == [
        ["state:submitted", "2025-10-01", 0, 1, 0],
        ["submitted", "2025-07-01", 0, 1, 0],
    ]

    def units(key, via):
        return {u for (u, _p, k, v) in rollups.current() if k == key and v == via}

    # Decided by the office: the agency and the office see the office, the province its child.
    assert units("late", office) == {agency, office}
    assert ["late", "2025-10-01", agency] in [
        [k, p.isoformat(), v] for (u, p, k, v) in rollups.current() if u == province
    ]
    # Decided off the chain: the decider at every level.
    assert units("decided", org.commune.pk) == {province, agency}
    # Decided at the root: the root at every level.
    assert units("decided", province) == {province, agency, office}

    _try_a_step(org)
    assert rollups.current() == rollups.expected()


def test_a_moved_subtree_is_recounted_without_a_rebuild(history, monkeypatch):
    """A move takes the subtree's proposals and records out of the old ancestors' figures and
    into the new ones' (decision rows follow the new chain), updates their shares' chains, and
    recounts nothing else."""
    org = history
    _behind_the_services_back(org)
    rollups.rebuild()

    def no_rebuild():
        raise AssertionError("a move recomputed everything")

    monkeypatch.setattr(rollups, "rebuild", no_rebuild)
    unit_update(unit=Unit.objects.get(pk=org.office.pk), parent=org.commune)
    assert rollups.current() == rollups.expected()
    assert _table_shares() == _python_shares()
    office_decisions = {u for (u, _p, k, v) in rollups.current() if v == org.office.pk}
    assert office_decisions == {org.commune.pk, org.office.pk}
    # The agency, with most proposals and every kind of record, under the second commune.
    unit_update(unit=Unit.objects.get(pk=org.agency.pk), parent=org.commune2)
    assert rollups.current() == rollups.expected()
    assert _table_shares() == _python_shares()
    keys = {k for (u, _p, k, _v) in rollups.current() if u == org.commune2.pk}
    assert {"outcome:achieved", "recognition:praise", "lesson", "institutionalized"} <= keys
    _try_a_step(org)
    assert rollups.current() == rollups.expected()
