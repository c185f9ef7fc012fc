from tests.reviews.conftest import org, proposal  # noqa: F401 - the reviews cast and proposal
