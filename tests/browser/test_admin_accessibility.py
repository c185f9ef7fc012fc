"""Django's admin (/admin/, used by the superuser and by each unit's admin) in Chromium with
axe-core, every rule at any impact. A crawl of `make run` found, and this test reproduces
without the fixes:

- the breadcrumbs' links told apart from the text beside them by colour alone (link-in-text-block:
  underlined by static/css/admin.css, through templates/admin/base_site.html);
- the autocomplete box of a membership's person without a name (aria-input-field-name: named by
  its label, static/js/admin-autocomplete-names.js);
- a superuser's user form: the split date and time boxes of the last sign-in and the joining
  date without labels (label: now read-only, the system's records), and the two-box groups widget
  with ARIA labels on bare spans (aria-prohibited-attr: a plain list, accounts.admin)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import PASSWORD
from tests.browser.journey import axe_violations
from tests.factories.units import grant
from units.models import Membership, Role

pytestmark = pytest.mark.browser


@pytest.fixture
def people(tree):
    superuser = User.objects.create_superuser("quantri", "quantri@example.vn", PASSWORD)
    return {
        "superuser": superuser,
        "unit_admin": grant(tree["province"], Role.ADMIN, username="tinh.admin"),
        "cadre": grant(tree["agency"], Role.CADRE, username="canbo", full_name="Đỗ Thị Mai"),
    }


def pages(tree, people):
    cadre = people["cadre"]
    return [
        "/admin/",
        "/admin/units/",  # an app's index: its breadcrumbs are a link, then text
        "/admin/accounts/user/?q=canbo",
        f"/admin/accounts/user/{cadre.pk}/change/",
        "/admin/accounts/user/add/",
        f"/admin/units/unit/{tree['agency'].pk}/change/",
        "/admin/units/membership/",
        "/admin/units/membership/add/",
    ]


@pytest.mark.parametrize("who", ["superuser", "unit_admin"])
def test_the_admin_s_pages_have_no_axe_violation(login, tree, people, who):
    page = login(people[who].username)
    found = {}
    for path in pages(tree, people):
        response = page.goto(path)
        assert response.status == 200, path
        # The site named in the title and the header (templates/admin/base_site.html).
        expect(page).to_have_title(re.compile(r"\| Quản trị KL14$"))
        expect(page.locator("#site-name")).to_have_text("Quản trị KL14")
        if path == "/admin/units/membership/add/":  # select2 is drawn after the page loads
            expect(page.locator(".select2-selection").first).to_be_visible()
        found[path] = axe_violations(page)  # every rule
    assert found == {path: [] for path in found}


def test_a_membership_is_granted_through_the_named_autocomplete(login, tree, people):
    """A unit admin reaches the person's box by its name, as a screen reader user would, types part
    of the name and picks the person: the membership is granted."""
    page = login("tinh.admin")
    page.goto("/admin/units/membership/add/")
    box = page.get_by_role("combobox", name=re.compile("Người dùng"))
    expect(box).to_be_visible()
    box.click()
    page.locator(".select2-search__field").fill("Mai")
    page.get_by_role("option", name=re.compile("Đỗ Thị Mai")).click()
    expect(box).to_have_accessible_name(re.compile("Người dùng.*Đỗ Thị Mai"))
    page.get_by_label("Đơn vị").select_option(str(tree["agency"].pk))
    page.get_by_label("Vai trò").select_option(Role.DEPUTY)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Membership.objects.filter(
        user=people["cadre"], unit=tree["agency"], role=Role.DEPUTY
    ).exists()


def test_a_superuser_sees_the_recorded_dates_without_editing_them(login, tree, people):
    page = login("quantri")
    page.goto(f"/admin/accounts/user/{people['cadre'].pk}/change/")
    expect(page.locator("#id_last_login_0")).to_have_count(0)
    expect(page.locator(".field-date_joined .readonly")).to_be_visible()
    expect(page.get_by_label("Nhóm")).to_be_visible()  # the groups: one list with its label
