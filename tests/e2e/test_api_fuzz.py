"""Schemathesis against the API served by a real WSGI server (pytest-django's `live_server`), as a
cadre and as a head of the agency, with their API tokens: every operation of the OpenAPI schema gets
requests generated from it, valid and invalid, and every answer must be no 5xx, a status code the
schema lists, the content type it names and a body its schema accepts.

Path ids point at the objects of the security audit's world (a draft, a proposal under review, a
running pilot, an evaluated success, a published lesson…) most of the time, so the operations reach
their real code instead of answering 404; now and then at ids that do not exist.

Bounded and deterministic: a fixed number of examples per operation and mode (FUZZ_EXAMPLES,
default 4), Hypothesis derandomized, no shrinking, no example database. Failures are collected
over the whole run and reported together; the figures are printed (`-s`)."""

import os
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from proposals.models import Proposal
from tests.security.conftest import PASSWORD, build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MISSING = 987654  # an id no object has
TIMEOUT = 30
# Revokes the token the run uses: fired last.
LAST = ("POST", "/api/v1/auth/logout/")


@pytest.fixture
def world(transactional_db, live_server):
    return build_world()


def token(base, username) -> str:
    answer = requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": username, "password": PASSWORD, "client": "schemathesis"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def candidates(w) -> dict:
    """Existing ids for each path parameter, by the path's first segment and the parameter."""
    proposals = [w.draft.pk, w.review.pk, w.pilot.pk, w.done.pk, w.lesson.pk]
    attachments = [w.draft_attachment.pk, w.review_attachment.pk]
    documents = [
        d.pk for d in (getattr(w, "pilot_document", None), getattr(w, "lesson_document", None)) if d
    ]
    return {
        ("proposals", "id"): proposals,
        ("proposals", "document_pk"): documents,
        ("proposals", "aid"): attachments,
        ("proposals", "number"): [1, 2],
        ("proposals", "other"): [1, 2],
        ("adjustments", "aid"): [w.adjustment.pk],
        ("notifications", "id"): [w.notification.pk],
        ("lessons", "id"): [w.lesson.pk, w.done.pk],
        ("units", "id"): [w.agency.pk, w.office.pk, w.commune.pk, w.province.pk],
    }


def fuzz(operation, *, mode, base, session, ids, found, tally):
    strategy = operation.as_strategy(generation_mode=mode)
    first = operation.path.removeprefix("/api/v1/").split("/", 1)[0]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(strategy)
        for name in list(case.path_parameters or {}):
            known = ids.get((first, name))
            if known:
                case.path_parameters[name] = data.draw(st.sampled_from([*known, MISSING]))
        response = case.call(base_url=base, session=session, timeout=TIMEOUT)
        tally["requests"] += 1
        tally[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            key = (operation.label, mode.value, type(failure).__name__, str(failure)[:200])
            found.setdefault(key, str(failure))

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE, operation.label
        tally["unsatisfiable"] += 1


@pytest.mark.parametrize("role", ["cadre", "head"])
def test_every_operation_answers_as_its_schema_says(world, live_server, role):
    base = live_server.url
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/schema/?format=json")
    session = requests.Session()
    # A connection per request: once in several whole-suite runs, Django's test server answered
    # a fuzzed request on a kept-alive connection with the standard library's HTTP/0.9 error page
    # (bytes of an earlier request read as a request line: BadStatusLine('<!DOCTYPE HTML>'), not
    # reproducible alone). That is the test server's, not the app's; a fresh connection keeps
    # each example's answer its own.
    session.headers["Connection"] = "close"
    session.headers["Authorization"] = f"Token {token(base, getattr(world, role).username)}"
    ids = candidates(world)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: ((op.method.upper(), op.path) == LAST, op.path, op.method),
    )
    assert len(operations) > 50
    found: dict = {}
    tally: Counter = Counter()
    started = time.monotonic()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(
                operation, mode=mode, base=base, session=session, ids=ids, found=found, tally=tally
            )
    seconds = time.monotonic() - started
    print(
        f"\nschemathesis as {role}: {len(operations)} operations, {tally['requests']} requests "
        f"in {seconds:.0f} s, answers {dict(sorted(tally.items()))}, {len(found)} failures"
    )
    assert Proposal.objects.exists()
    assert not found, "\n\n".join(
        f"{label} ({mode}):\n{text}" for (label, mode, _, _), text in found.items()
    )
