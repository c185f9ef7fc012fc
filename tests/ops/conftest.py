"""The people of tests/proposals (the agency's head, deputies, cadres...) for the tests of
writes sent once (test_submissions.py)."""

from tests.proposals.conftest import org  # noqa: F401
