from tests.reviews.conftest import org, proposal  # noqa: F401 (the review stage's people)
