"""Who may do what in the implementation stage: a role × action matrix, and for every transition
the other unit's people get 404 and the wrong role 403."""

import pytest

from kl14.errors import Forbidden, NotFound
from pilots import permissions as perms
from pilots import services
from pilots.models import ImplementationPlan
from proposals import transitions as registry
from tests.factories.proposals import fresh

pytestmark = pytest.mark.django_db

PEOPLE = (
    "head",
    "deputy1",
    "cadre",
    "cadre2",
    "party",
    "inspector",
    "agency_inspector",
    "commune_inspector",
    "orgboard",
    "province_head",
    "commune_head",
)

# transition -> who may fire it (whatever the state)
FIRERS = {
    "start": {"head"},
    "suspend": {"head"},
    "resume": {"head"},
    "terminate": {"head"},
    "complete": {"cadre"},
    "submit_final_report": {"cadre"},
}


@pytest.mark.parametrize("name", sorted(FIRERS))
def test_transition_role_matrix(org, running, name):
    spec = registry.get(name)
    allowed = {who for who in PEOPLE if spec.may_fire(getattr(org, who), running)}
    assert allowed == FIRERS[name]


def test_action_matrix_while_running(org, running):
    plan = ImplementationPlan.objects.get(proposal=running)
    matrix = {
        "file_report": {w for w in PEOPLE if perms.can_file_report(getattr(org, w), running)},
        "inspect": {w for w in PEOPLE if perms.can_inspect(getattr(org, w), running, plan)},
        "request_adjustment": {
            w for w in PEOPLE if perms.can_request_adjustment(getattr(org, w), running)
        },
        "decide_adjustment": {
            w for w in PEOPLE if perms.can_decide_adjustment(getattr(org, w), running)
        },
        "mark_milestone": {w for w in PEOPLE if perms.can_mark_milestone(getattr(org, w), running)},
        "edit_plan": {w for w in PEOPLE if perms.can_edit_plan(getattr(org, w), running)},
    }
    assert matrix == {
        "file_report": {"cadre"},
        "inspect": {"inspector"},
        "request_adjustment": {"cadre"},
        "decide_adjustment": {"head"},
        "mark_milestone": {"cadre", "head"},
        "edit_plan": set(),
    }


def test_action_matrix_while_approved(org, approved):
    services.plan_save(proposal=approved, actor=org.head, people="Hai cán bộ")
    plan = ImplementationPlan.objects.get(proposal=approved)
    proposal = fresh(approved)
    assert {w for w in PEOPLE if perms.can_edit_plan(getattr(org, w), proposal)} == {"head"}
    assert {w for w in PEOPLE if perms.can_cosign(getattr(org, w), proposal, plan)} == {"head"}
    assert {w for w in PEOPLE if perms.can_file_report(getattr(org, w), proposal)} == set()


def test_who_sees_the_pilot(org, running):
    seen = set()
    for who in PEOPLE:
        try:
            perms.access_pilot(getattr(org, who), running.pk)
        except NotFound:
            continue
        seen.add(who)
    # Leaders and the Party committee of the unit, the authors, and oversight of the subtree; a
    # cadre who is not an author and the other subtree do not.
    assert seen == {
        "head",
        "deputy1",
        "cadre",
        "party",
        "inspector",
        "agency_inspector",
        "orgboard",
    }


CALLS = {
    "suspend": lambda p, u: services.pilot_suspend(proposal=p, actor=u, reason="x"),
    "resume": lambda p, u: services.pilot_resume(proposal=p, actor=u),
    "terminate": lambda p, u: services.pilot_terminate(proposal=p, actor=u, reason="x"),
    "complete": lambda p, u: services.pilot_complete(proposal=p, actor=u),
    "submit_final_report": lambda p, u: services.pilot_submit_final_report(
        proposal=p, actor=u, report="x", kpi_values=[]
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_transition_answers_404_to_another_unit_and_403_to_the_wrong_role(org, running, name):
    if name == "resume":
        services.pilot_suspend(proposal=running, actor=org.head, reason="x")
    if name == "submit_final_report":
        services.pilot_complete(proposal=running, actor=org.cadre)
    proposal = fresh(running)
    with pytest.raises(NotFound):
        CALLS[name](proposal, org.commune_head)
    wrong = org.deputy1 if FIRERS[name] == {"head"} else org.head
    with pytest.raises(Forbidden):
        CALLS[name](fresh(proposal), wrong)
