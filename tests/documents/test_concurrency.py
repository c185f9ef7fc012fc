"""Two decisions of one unit at the same moment never get the same number (PostgreSQL: the
register's row lock; SQLite serialises writers by itself)."""

import threading

import pytest
from django.db import connection, transaction

from documents.services import number_reserve
from tests.conftest import skip_or_fail
from tests.factories.units import UnitFactory

pytestmark = [pytest.mark.services]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_of_the_year", [True, False])
def test_concurrent_reservations_take_distinct_numbers(first_of_the_year):
    """Whether the year's register exists (all contend for its row lock) or not yet (all try to
    create it: one does, the others wait for its lock)."""
    if connection.vendor != "postgresql":
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")
    unit = UnitFactory(code="Q-X")
    if not first_of_the_year:
        with transaction.atomic():
            number_reserve(unit=unit, year=2031)
    start, numbers, errors = threading.Barrier(4), [], []

    def reserve():
        try:
            start.wait()
            with transaction.atomic():
                numbers.append(number_reserve(unit=unit, year=2031))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first = 1 if first_of_the_year else 2
    assert sorted(numbers) == list(range(first, first + 4))
