"""Diacritic-insensitive text for the lessons library's search.

Vietnamese words are syllables ("thủ tục hành chính" is four), so matching each word anywhere
finds far too much ("đất đai" would match "đặt lịch … kéo dài"). A query is therefore one or more
phrases (separated by commas or semicolons); each must occur in the text as consecutive syllables,
starting at a syllable boundary (the last syllable may be cut short, as when typing). Text and
phrases are compared folded: lower-case ASCII letters and digits separated by single spaces."""

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_PHRASES = re.compile(r"[,;]+")
# Letters that are not a base letter plus combining marks, so NFD leaves them alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
MAX_PHRASES = 5
MAX_PHRASE_LENGTH = 100


def fold(text: str) -> str:
    """'Thủ tục HÀNH CHÍNH, Đà Nẵng!' -> 'thu tuc hanh chinh da nang'."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub(" ", stripped).strip()


def search_text(text: str) -> str:
    """The stored form: folded, with a space at each end so every syllable has one before it."""
    return f" {fold(text)} "


def search_phrases(query: str) -> list[str]:
    """The phrases of a query, as typed (each side folds them its own way), deduplicated."""
    phrases = []
    for part in _PHRASES.split(query or ""):
        part = part.strip().strip("\"'“”").strip()[:MAX_PHRASE_LENGTH]
        if fold(part) and fold(part) not in (fold(p) for p in phrases):
            phrases.append(part)
    return phrases[:MAX_PHRASES]
