"""The guide's screenshots: produced by the browser journeys (each journey fails when it no
longer reaches a step the guide shows, tests/browser/test_journeys.py), committed small."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from guide import content, images

SHOTS = sorted(content.shots())
JOURNEYS = Path(settings.BASE_DIR) / "tests" / "browser" / "test_journeys.py"
MAX_BYTES = 250_000
MAX_TOTAL = 5_000_000


def journey_roles() -> set[str]:
    source = JOURNEYS.read_text()
    return set(re.findall(r'journey\(\s*"([a-z-]+)"', source)) | set(
        re.findall(r'j\.role = "([a-z-]+)"', source)
    )


def test_the_guide_has_screenshots():
    assert len(SHOTS) >= 20


@pytest.mark.parametrize("shot", SHOTS)
def test_every_screenshot_comes_from_a_journey_and_is_small(shot):
    role = shot.split("/")[0]
    assert role in journey_roles(), f"no browser journey walks as {role!r}"
    path = images.file_of(shot)
    assert path.exists(), (
        f"{path} is missing: KL14_GUIDE_SHOTS=static/guide pytest tests/browser/test_journeys.py"
    )
    assert path.stat().st_size <= MAX_BYTES
    with Image.open(path) as image:
        assert image.format == "WEBP"
        assert image.width <= images.WIDTH


def test_the_folder_holds_only_what_the_guide_shows_and_stays_small():
    files = sorted(images.FOLDER.glob("**/*"))
    files = [f for f in files if f.is_file()]
    shown = {images.file_of(s) for s in SHOTS}
    assert set(files) == shown
    assert sum(f.stat().st_size for f in files) < MAX_TOTAL
