import pytest

from tests.factories.units import UserFactory, grant
from units.models import Role


@pytest.fixture
def root_admin(tree):
    return grant(tree["province"], Role.ADMIN)


@pytest.fixture
def agency_admin(tree):
    return grant(tree["agency"], Role.ADMIN)


@pytest.fixture
def cadre(tree):
    return grant(tree["agency"], Role.CADRE)


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)
