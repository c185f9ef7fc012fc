from tests.proposals.conftest import draft, org  # noqa: F401 (the proposals app's people)
