"""Text as people send it, made plain before any form, serializer or service reads it: what cannot
be seen is taken out, and Vietnamese letters are written one way.

- Invisible characters go: zero-width spaces and joiners, the word joiner, the byte-order mark, a
  soft hyphen, and the direction marks, embeddings, overrides and isolates of bidirectional text,
  as well as control characters other than tab and line breaks. A comment of zero-width spaces
  only was a comment ("required" saw text), and a right-to-left override in a reason kept in the
  ledger shows its words in another order than they are stored (text pasted from Word or a chat
  brings some of these along unseen). NUL is left for Django's forms and DRF to refuse.
- Letters are composed (Unicode NFC): "ế" typed as "e" + two combining marks (macOS, some
  Vietnamese keyboards) and "ế" as one character are one text, to search and to compare.

Passwords are never touched (a field whose name holds "password"): a person's password is what
they typed. Applied to form bodies by kl14.middleware.PlainTextMiddleware and to the API's bodies
by kl14.drf's parsers."""

import re
import unicodedata

from django.core.validators import ProhibitNullCharactersValidator

# What Django's forms and DRF's serializers say of a NUL (in Vietnamese: kl14/locale_vendor), for
# the services that read text without them (text_refusal).
NUL_REFUSED = ProhibitNullCharactersValidator.message

_INVISIBLE = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # controls, but NUL, tab, line feed, carriage return
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    "\u202a-\u202e"  # bidirectional embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u206f"  # bidirectional isolates, deprecated format characters
    "\ufeff"  # byte-order mark, zero-width no-break space
    "\ufff9-\ufffb"  # interlinear annotation
    "]"
)


def plain_text(value: str) -> str:
    """`value` without invisible characters, its letters composed (NFC)."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", value))


def text_refusal(value: str):
    """Why a service refuses this text whatever its field (a NUL, which PostgreSQL cannot store),
    or None."""
    return NUL_REFUSED if "\x00" in value else None


def is_secret(name) -> bool:
    return "password" in str(name).lower()


def plain_data(data):
    """Every string in a parsed body (objects, lists, strings) made plain, but passwords."""
    if isinstance(data, str):
        return plain_text(data)
    if isinstance(data, dict):
        return {k: v if is_secret(k) else plain_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain_data(item) for item in data]
    return data


def plain_querydict(query):
    """A form body (a QueryDict) made plain, but passwords; the same object when nothing changes."""
    changed = {}
    for key, values in query.lists():
        if is_secret(key):
            continue
        plain = [plain_text(v) if isinstance(v, str) else v for v in values]
        if plain != values:
            changed[key] = plain
    if not changed:
        return query
    copy = query.copy()
    for key, values in changed.items():
        copy.setlist(key, values)
    copy._mutable = False
    return copy
