"""Diacritic-insensitive text for the lessons library's search where the database has no
`unaccent` (SQLite): Vietnamese folded to lower-case ASCII letters."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters that are not a base letter plus combining marks, so NFD leaves them alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """'Thủ tục HÀNH CHÍNH, Đà Nẵng' -> 'thu tuc hanh chinh, da nang'."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().lower()


def search_terms(query: str) -> list[str]:
    """The words of a query, as typed (the database folds them); at most ten, deduplicated."""
    words = []
    for word in _SPACES.split((query or "").strip()):
        word = word.strip(".,;:!?\"'()[]")
        if word and word.lower() not in (w.lower() for w in words):
            words.append(word)
    return words[:10]
