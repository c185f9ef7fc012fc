"""Every catalogue is complete in Vietnamese and its compiled .mo is current."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGS = sorted(Path(settings.BASE_DIR).glob("*/locale/vi/LC_MESSAGES/django.po"))


def test_there_are_catalogs():
    assert CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-5])
def test_catalog_is_fully_translated(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries() if not e.obsolete]
    assert missing == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-5])
def test_compiled_catalog_matches(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert compiled.get(key) == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))), key
