"""The import bench's province, at a small size: the file it builds imports whole and re-imports
unchanged (the figures themselves come from `bench/import_province.py`)."""

import importlib.util
from pathlib import Path

import pytest

from accounts.models import User
from tests.factories import grant
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db

spec = importlib.util.spec_from_file_location(
    "import_province", Path(__file__).resolve().parents[2] / "bench" / "import_province.py"
)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_a_small_province_imports_whole_and_idempotently():
    from units.services import unit_create

    root = unit_create(code="T", name="Tỉnh Thử Nghiệm", kind="other", parent=None)
    admin = grant(root, Role.ADMIN)
    units = bench.province_units(40)
    results = bench.import_province(admin, bench.province_workbook(40, 300))
    assert [r[0] for r in results] == [
        "dry run (read + plan + report)",
        "import (re-plan + write)",
        "second dry run of the same file",
    ]
    assert Unit.objects.count() == 40
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert User.objects.filter(staff_code__startswith="CB").count() == 300
    # Every head also sits on the Party committee: one more membership per unit.
    assert Membership.objects.exclude(user=admin).count() == 300 + len(units)
    assert Membership.objects.filter(role=Role.HEAD).count() == len(units)
    department = Unit.objects.get(code="T-S00")
    assert Unit.objects.get(code="T-S00-P0").path.startswith(department.path)
