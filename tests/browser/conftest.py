"""Browser tests: Playwright (plain `playwright.sync_api`) driving Debian's Chromium.

Playwright cannot download browsers here, so it always launches /usr/bin/chromium. The app is
served by pytest-django's `live_server` (static files through django.contrib.staticfiles), so
every test that uses a page also gets `transactional_db`: create your data in the test, then drive
the browser.

Fixtures:
- `chromium_browser` (session): the launched Chromium.
- `desktop_page`: a fresh context and page, 1280x900, locale vi-VN, 10 s default timeout,
  `base_url` = the live server (so `desktop_page.goto("/accounts/login/")` works).
- `phone_page`: the same on a 390x844 touch phone.
- `login`: `login(username, password="secret-pass-123", page=None)` signs in through the real form
  (on `desktop_page` unless another page is given) and waits for the home page.

The fixtures are deliberately not called `browser`/`page`: pytest-playwright, when installed, would
parametrize every test that uses those names (`test_x[chromium]`, and once more per `--browser`).

Every page fails its test at teardown on an uncaught JavaScript error or a static file that did not
load. Mark every browser test with `@pytest.mark.browser`.
"""

import os

import pytest

from tests.conftest import skip_or_fail
from tests.factories.proposals import ProposalFactory, submitted
from tests.factories.units import grant
from units.models import Role

# Playwright's sync API runs an event loop in the main thread; without this Django refuses ORM
# calls from tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "secret-pass-123"  # the password of tests.factories.UserFactory
# The four conditions of Decree 73, Art. 5(1) as the approve form labels them: the collective's
# assessment of each is required (issue 11, point 7).
CONDITION_LABELS = (
    "Tháo gỡ điểm nghẽn, nút thắt về cơ chế, chính sách",
    "Vì lợi ích chung",
    "Đáp ứng yêu cầu cấp bách của thực tiễn, không gây phương hại",
    "Thúc đẩy phân cấp, phân quyền, cải cách hành chính hoặc chuyển đổi số",
)
TIMEOUT_MS = 10_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def chromium_browser():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        skip_or_fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class _PageProblems:
    """Uncaught JavaScript errors and static files that failed to load, seen by one page."""

    def __init__(self, page):
        self.problems: list[str] = []
        self._bad_urls: set[str] = set()
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self._bad_urls.add(response.url)
            self.problems.append(f"static file {response.url} answered {response.status}")

    def _failed(self, request):
        # ERR_ABORTED is a load the browser itself cancelled because the test navigated on or
        # closed the page first (seen under load); a missing or broken file answers >= 400 above,
        # and a refused connection or a reset fails with its own error.
        if request.failure == "net::ERR_ABORTED":
            return
        if "/static/" in request.url and request.url not in self._bad_urls:
            self.problems.append(f"static file {request.url} failed: {request.failure}")

    def check(self):
        if self.problems:
            pytest.fail("the page had problems:\n" + "\n".join(self.problems), pytrace=False)


def _open_page(browser, live_server, **options):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = _PageProblems(page)
    return context, page, problems


@pytest.fixture
def desktop_page(chromium_browser, live_server, transactional_db):
    context, page, problems = _open_page(chromium_browser, live_server, **DESKTOP)
    yield page
    context.close()
    problems.check()


@pytest.fixture
def phone_page(chromium_browser, live_server, transactional_db):
    context, page, problems = _open_page(chromium_browser, live_server, **PHONE)
    yield page
    context.close()
    problems.check()


@pytest.fixture
def login(desktop_page, live_server):
    """`login(username, password=PASSWORD, page=None)`: sign in through the form at /accounts/login/
    and wait for the home page; returns the page."""

    def sign_in(username, password=PASSWORD, page=None):
        page = page or desktop_page
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("form[action='/accounts/login/'] [type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in


@pytest.fixture
def return_form(login, tree):
    """A submitted proposal's head on its "Trả lại để chỉnh sửa" form: (page, proposal)."""
    agency = tree["agency"]
    cadre = grant(agency, Role.CADRE, full_name="Trần Thị Bình")
    head = grant(agency, Role.HEAD, full_name="Nguyễn Văn An")
    proposal = submitted(ProposalFactory(home_unit=agency, created_by=cadre), cadre)
    page = login(head.username)
    page.goto(proposal.get_absolute_url())
    page.get_by_role("link", name="Trả lại để chỉnh sửa").click()
    return page, proposal
