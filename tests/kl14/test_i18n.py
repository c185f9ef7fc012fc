"""Every catalogue is complete in Vietnamese and its compiled .mo is current."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGS = sorted(Path(settings.BASE_DIR).glob("*/locale/vi/LC_MESSAGES/django.po"))
VENDOR = Path(settings.BASE_DIR) / "kl14/locale_vendor/vi/LC_MESSAGES"


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


def test_a_string_reads_one_way_whichever_app_holds_it():
    """Django merges every app's catalogue into one per language, so a msgid two apps translate
    differently reads as the first app's everywhere: a document's "Concerns" (Đối với) read as a
    pilot's "Có vấn đề cần lưu ý", an import row "Refused" as a board's "Không chấp thuận". Where
    the meanings differ, the code gives the string a context (pgettext); otherwise one wording."""
    readings: dict = {}
    for po_path in [*CATALOGS, VENDOR / "django.po"]:
        for entry in polib.pofile(str(po_path)).translated_entries():
            readings.setdefault((entry.msgctxt, entry.msgid), {})[entry.msgstr] = po_path.parts[-5]
    assert {key: found for key, found in readings.items() if len(found) > 1} == {}


def test_catalogs_hold_every_string_of_the_code(tmp_path, monkeypatch, settings):
    """makemessages finds no message that a catalogue lacks: nothing is left untranslated.

    It runs on a copy of the sources, never on the tree itself: makemessages rewrites the
    catalogues it finds, and other tests (in other workers) read them at the same moment."""
    import shutil

    from django.core.management import call_command

    from tests.conftest import skip_or_fail

    if shutil.which("xgettext") is None:
        skip_or_fail("makemessages needs GNU gettext (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", ".git", "tests", "var", "bench", "__pycache__", "*.mo"
        ),
    )
    settings.LOCALE_PATHS = [copy / path.relative_to(base) for path in settings.LOCALE_PATHS]
    monkeypatch.chdir(copy)

    def messages(path):
        return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}

    before = {path.relative_to(base): messages(path) for path in CATALOGS}
    untouched = {path: path.read_bytes() for path in CATALOGS}
    call_command(
        "makemessages",
        locale=["vi"],
        no_obsolete=True,
        ignore_patterns=[".venv", "node_modules", "tests", "var", "bench"],
        verbosity=0,
    )
    missing = {
        str(relative): sorted(
            msgid for _ctx, msgid in messages(copy / relative) - before.get(relative, set())
        )
        for relative in (
            path.relative_to(copy) for path in copy.glob("*/locale/vi/LC_MESSAGES/django.po")
        )
    }
    assert {app: ids for app, ids in missing.items() if ids} == {}
    assert {path: path.read_bytes() for path in CATALOGS} == untouched


def test_the_apis_own_validation_messages_read_in_vietnamese():
    """Django REST framework's catalogue has a few Vietnamese messages; ours (kl14/locale_vendor)
    has the rest, so a client that sends a wrong choice or a wrong type is told so in Vietnamese,
    and in English on request."""
    from django.utils import translation
    from rest_framework import serializers

    class Probe(serializers.Serializer):
        field = serializers.ChoiceField(choices=["a"])
        amount = serializers.IntegerField()
        day = serializers.DateField()

    probe = Probe(data={"field": "Hành chính", "amount": "x", "day": "29-11"})
    with translation.override("vi"):
        assert not probe.is_valid()
        errors = {name: str(messages[0]) for name, messages in probe.errors.items()}
    assert errors["field"] == "“Hành chính” không phải là một lựa chọn hợp lệ."
    assert errors["amount"] == "Cần một số nguyên hợp lệ."
    assert errors["day"].startswith("Ngày sai định dạng.")
    with translation.override("en"):
        probe = Probe(data={"field": "b", "amount": 1, "day": "2026-11-29"})
        assert not probe.is_valid()
        assert str(probe.errors["field"][0]) == '"b" is not a valid choice.'


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_vendor_catalogue_is_compiled(domain):
    po_path = Path(settings.BASE_DIR) / f"kl14/locale_vendor/vi/LC_MESSAGES/{domain}.po"
    po = polib.pofile(str(po_path))
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }
    assert po.untranslated_entries() == []
    assert all(mo.get((e.msgctxt, e.msgid)) == (e.msgstr, e.msgstr_plural) for e in po)


# Where Django keeps what a person can be told: form and model field errors, validators, formsets,
# the paginator, the password rules and the auth forms (the admin's user pages).
DJANGO_SOURCES = {
    "conf/locale/en/LC_MESSAGES/django.po": (
        "core/validators.py",
        "core/paginator.py",
        "forms/",
        "db/models/fields/",
        "db/models/base.py",
    ),
    "contrib/auth/locale/en/LC_MESSAGES/django.po": (
        "contrib/auth/forms.py",
        "contrib/auth/password_validation.py",
        "contrib/auth/validators.py",
        "contrib/auth/models.py",
        "contrib/auth/base_user.py",
    ),
    "contrib/admin/locale/en/LC_MESSAGES/django.po": ("contrib/admin/",),
}
SAME_IN_VIETNAMESE = {"…", ":", ":?.!", "IPv4", "IPv6", "%(class_name)s %(instance)s"}


def test_djangos_own_messages_read_in_vietnamese():
    """Django's vi catalogues leave some messages untranslated, or translate them under a msgid
    Django has since changed ("…at least %(min_length)d characters" became "%d"): a NUL byte in a
    text field was answered "Null characters are not allowed.", a short password "This password is
    too short…", a garbled formset "ManagementForm data is missing…". Each message Django can show
    a person, taken from its English catalogues, reads in Vietnamese (kl14/locale_vendor has
    what Django's catalogues lack): a Django upgrade that adds one fails here."""
    import django
    from django.utils import translation

    root = Path(django.__file__).parent
    untranslated = []
    with translation.override("vi"):
        for catalog, sources in DJANGO_SOURCES.items():
            for entry in polib.pofile(str(root / catalog)):
                if entry.msgid in SAME_IN_VIETNAMESE or not any(
                    path.startswith(sources) for path, _line in entry.occurrences
                ):
                    continue
                if entry.msgid_plural:
                    shown = translation.ngettext(entry.msgid, entry.msgid_plural, 5)
                    english = entry.msgid_plural
                elif entry.msgctxt:
                    shown, english = translation.pgettext(entry.msgctxt, entry.msgid), entry.msgid
                else:
                    shown, english = translation.gettext(entry.msgid), entry.msgid
                if shown == english:
                    untranslated.append(entry.msgid)
    assert untranslated == []


def test_a_nul_byte_and_a_short_password_are_refused_in_vietnamese():
    from django import forms
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    class Comment(forms.Form):
        text = forms.CharField()

    with translation.override("vi"):
        form = Comment({"text": "a\x00b"})
        assert not form.is_valid()
        assert form.errors["text"] == ["Văn bản không được chứa ký tự rỗng (NUL)."]
        with pytest.raises(ValidationError) as refused:
            validate_password("kl14")
        assert "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự." in refused.value.messages


def test_the_admins_javascript_reads_in_vietnamese(client):
    """The admin's calendar and two-box selector (its JavaScript catalogue, with what
    kl14/locale_vendor adds): "Monday", "Choose all %s" were in English."""
    import django
    from django.utils.translation.trans_real import DjangoTranslation

    admin_locale = Path(django.__file__).parent / "contrib/admin/locale"
    catalog = DjangoTranslation("vi", domain="djangojs", localedirs=[str(admin_locale)])
    untranslated = []
    for entry in polib.pofile(str(admin_locale / "en/LC_MESSAGES/djangojs.po")):
        if entry.msgid_plural:
            english = entry.msgid_plural
            shown = catalog.ngettext(entry.msgid, entry.msgid_plural, 5)
        elif entry.msgctxt:
            english, shown = entry.msgid, catalog.pgettext(entry.msgctxt, entry.msgid)
        else:
            english, shown = entry.msgid, catalog.gettext(entry.msgid)
        if shown == english:
            untranslated.append(entry.msgid)
    assert untranslated == []
