"""The factories never make two users a test could confuse (issue 13: a test failed when two users
got the same random Vietnamese name)."""

import pytest
from django.conf import settings

from tests.factories import UserFactory
from tests.factories.units import FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, vietnamese_name

COMBINATIONS = len(FAMILY_NAMES) * len(MIDDLE_NAMES) * len(GIVEN_NAMES)


def test_consecutive_names_are_distinct_and_none_contains_another():
    start = 12_345  # any point of a session's sequence
    names = [vietnamese_name(n) for n in range(start, start + COMBINATIONS)]
    assert len(set(names)) == COMBINATIONS
    words = {tuple(name.split(" ")) for name in names}
    assert all(len(w) == 3 for w in words)
    # Three words each: one name inside another would need a family name ending another family
    # name and a given name starting another given name.
    assert not [(a, b) for a in FAMILY_NAMES for b in FAMILY_NAMES if a != b and b.endswith(a)]
    assert not [(a, b) for a in GIVEN_NAMES for b in GIVEN_NAMES if a != b and b.startswith(a)]
    sample = names[:300]
    assert not [(a, b) for a in sample for b in sample if a != b and a in b]


@pytest.mark.django_db
def test_users_of_one_test_have_distinct_names():
    users = UserFactory.create_batch(50)
    assert len({u.full_name for u in users}) == 50
    assert len({u.username for u in users}) == 50


def test_each_xdist_worker_has_its_own_queue_and_cache_prefix(worker_id):
    """pytest-xdist's worker id ("master" when not distributed) names the worker's Celery queue
    and cache prefix, so one worker's tasks never reach another worker's database."""
    expected = "main" if worker_id == "master" else worker_id
    queue, prefix = settings.CELERY_TASK_DEFAULT_QUEUE, settings.CACHES["default"]["KEY_PREFIX"]
    assert (queue, prefix) == (f"kl14-test-{expected}", f"kl14-test-{expected}")
