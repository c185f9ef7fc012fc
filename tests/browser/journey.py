"""Walking a role's journey the way a person with a mouse does.

`Journey(page, role)` wraps a Playwright page:
- `click(locator)`, `check(locator)`, `choose(locator, option)`, `fill(locator, text)`: each first
  asserts that the control is visible and has a non-zero box (a person cannot click what they
  cannot see), then acts on it with the mouse (a checkbox or a radio is clicked, never set from the
  keyboard; typing goes only into visible fields).
- `arrive(step)`: after every page the journey reaches — the page never scrolls sideways, axe-core
  finds no serious or critical violation (axe-core comes from npm and is served by the app, see
  kl14/settings/test.py), and, when KL14_JOURNEY_SHOTS is set, a full-page screenshot is saved as
  `$KL14_JOURNEY_SHOTS/<role>/<NN>-<step>.png`; and when KL14_GUIDE_SHOTS names a folder
  (`static/guide`), the steps the user guide shows (guide/content.py, `shot`) are saved there as
  `<role>/<step>.webp`, the first screen of the page at most 1280 px wide, compressed.
- `missing_guide_shots()`: the guide's screenshots of this role that the journey never reached;
  the journeys fail on any, so the guide never shows a screen no test produces.
- `report()`: the pages covered and axe's findings, printed at the end of each journey (and kept
  in `Journey.ledger` for the run's summary).

Every page of every journey goes through `arrive`, so the journeys are also the accessibility
suite of the pages people use."""

import io
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

AXE_URL = "/static/vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
SHOTS = os.environ.get("KL14_JOURNEY_SHOTS", "")
GUIDE_SHOTS = os.environ.get("KL14_GUIDE_SHOTS", "")
GUIDE_WIDTH = 1280
GUIDE_QUALITY = 60


@dataclass
class Journey:
    page: Page
    role: str
    steps: list = field(default_factory=list)
    findings: list = field(default_factory=list)  # (step, rule, impact, nodes) of any impact
    reached: list = field(default_factory=list)  # the step slugs, in order
    started: float = field(default_factory=time.monotonic)

    # Every journey of the run, for the summary printed at the end of the session.
    ledger = []

    def __post_init__(self):
        Journey.ledger.append(self)

    # --- acting with the mouse ------------------------------------------------------------------

    def visible(self, locator: Locator) -> Locator:
        """The locator, once it is one visible control with a non-zero box."""
        expect(locator).to_have_count(1)
        expect(locator).to_be_visible()
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, (
            f"{self.role}: {locator} has no box a person could click ({box})"
        )
        return locator

    def click(self, locator: Locator) -> None:
        self.visible(locator).click()

    def check(self, locator: Locator) -> None:
        """Ticks a checkbox or chooses a radio by clicking it (or its label)."""
        self.visible(locator).click()
        expect(locator).to_be_checked()

    def fill(self, locator: Locator, text: str) -> None:
        self.visible(locator).fill(text)

    def choose(self, locator: Locator, **option) -> None:
        """Chooses an option of a visible drop-down list (`label=` or `value=`)."""
        self.visible(locator).select_option(**option)

    # --- every page reached -----------------------------------------------------------------------

    def arrive(self, step: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        slug = _slug(step)
        name = f"{len(self.steps) + 1:02d}-{slug}"
        self.steps.append((name, page.url))
        self.no_sideways_scroll(step)
        self.accessible(step)
        if SHOTS:
            folder = Path(SHOTS) / self.role
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        shot = f"{self.role}/{slug}"
        if GUIDE_SHOTS and shot in _guide_shots() and slug not in self.reached:
            save_guide_image(page, Path(GUIDE_SHOTS) / f"{shot}.webp")
        self.reached.append(slug)

    def missing_guide_shots(self) -> set[str]:
        """The user guide's screenshots of this journey's role that it did not reach."""
        mine = {s for s in _guide_shots() if s.split("/")[0] == self.role}
        return mine - {f"{self.role}/{slug}" for slug in self.reached}

    def no_sideways_scroll(self, step: str) -> None:
        inner, scroll = self.page.evaluate(
            "[window.innerWidth, document.documentElement.scrollWidth]"
        )
        assert scroll <= inner, (
            f"{self.role} / {step}: the page scrolls sideways ({scroll} > {inner})"
        )

    def accessible(self, step: str) -> None:
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=AXE_URL)
        violations = page.evaluate(
            """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(
                v => ({id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"""
        )
        for v in violations:
            self.findings.append((step, v["id"], v["impact"], v["nodes"]))
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"{self.role} / {step} ({page.url}): axe-core found " + "; ".join(
            f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in blocking
        )

    # --- what it covered ------------------------------------------------------------------------

    def report(self) -> str:
        seconds = time.monotonic() - self.started
        minor = len(self.findings)
        return (
            f"journey {self.role}: {len(self.steps)} pages in {seconds:.1f} s, "
            f"{minor} minor/moderate axe findings, 0 serious or critical"
        )


def axe_violations(page: Page, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations on the page, at any impact, as "impact rule: where, why" lines:
    of `rules` only, or of every rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """rules => axe.run(document, rules ? {runOnly: rules} : {}).then(r => r.violations.map(
            v => v.impact + ' ' + v.id + ': ' + v.nodes.map(
                n => n.target.join(' ') + ' ' + n.failureSummary).join('; ')))""",
        rules,
    )


def _slug(text: str) -> str:
    """ "queue-Hồ sơ chờ xử lý" -> "queue-ho-so-cho-xu-ly"."""
    text = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "page"


def _guide_shots() -> set[str]:
    from guide.content import shots

    return shots()


def save_guide_image(page: Page, path: Path) -> None:
    """The screen as the reader sees it (not the whole page), as a small WebP."""
    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")
    if image.width > GUIDE_WIDTH:
        image = image.resize((GUIDE_WIDTH, round(image.height * GUIDE_WIDTH / image.width)))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "WEBP", quality=GUIDE_QUALITY, method=6)
