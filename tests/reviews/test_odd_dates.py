"""The evaluation meeting's date outside 01/01/2000–31/12/2100 is a 400 with a clear message
(issue 13)."""

import pytest

from proposals.models import State
from reviews.models import Evaluation
from tests.factories.proposals import fresh
from tests.factories.reviews import CAUSES, collective_votes, evaluating, minutes

from .test_api import client_for

pytestmark = pytest.mark.django_db

MESSAGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_evaluation_meeting_out_of_range(org, proposal, day):
    proposal = collective_votes(evaluating(proposal, party=org.party))
    body = {"outcome": "achieved", "meeting_date": day, "minutes": minutes(), **CAUSES}
    response = client_for(org.head).post(
        f"/api/v1/proposals/{proposal.pk}/transitions/evaluate/", body
    )
    assert response.status_code == 400
    assert MESSAGE in str(response.json())
    assert not Evaluation.objects.exists()
    assert fresh(proposal).state == State.EVALUATING
