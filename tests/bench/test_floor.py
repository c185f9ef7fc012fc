"""The benchmark's floor (bench/views.py) is what issue 12 says it is: one indexed query and a
small render, past the middleware every page pays for. A heavier floor would flatter every ratio
bench/national.py prints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.proposals import ProposalFactory
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.urls("bench.urls")
def test_the_floor_reads_the_proposals_in_one_query(client, tree):
    cadre = grant(tree["agency"], Role.CADRE, username="floor-cadre")
    for i in range(3):
        ProposalFactory(home_unit=tree["agency"], created_by=cadre, title=f"Đề xuất {i}")
    client.force_login(cadre)
    client.get("/bench/floor/")  # the session and the user once, as on every page
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content.decode().count("<li>") == 3 and "Đề xuất 2" in response.content.decode()
    reads = [q["sql"] for q in queries.captured_queries if "proposals_proposal" in q["sql"]]
    assert len(reads) == 1
