"""The guide's screenshots: static/guide/<journey role>/<step>.webp, produced by the browser
journeys (tests/browser/journey.py, KL14_GUIDE_SHOTS)."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings

FOLDER = Path(settings.BASE_DIR) / "static" / "guide"
WIDTH = 1280  # every image is at most this wide (a phone's screenshot is narrower)


def static_path(shot: str) -> str:
    return f"guide/{shot}.webp"


def file_of(shot: str) -> Path:
    return FOLDER / f"{shot}.webp"


@lru_cache(maxsize=256)
def _size(path: Path, mtime: float) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def image(shot: str) -> dict | None:
    """{"path", "file", "width", "height"} of a section's screenshot, or None without one."""
    if not shot:
        return None
    path = file_of(shot)
    if not path.exists():
        return None
    width, height = _size(path, path.stat().st_mtime)
    return {"path": static_path(shot), "file": path, "width": width, "height": height}
