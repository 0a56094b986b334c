"""One form of every staff username, and refusing names that look like another.

A username is normalised once, the same way everywhere — at invitation,
enrolment, sign-in and recovery — with NFKC and case folding (Unicode's
NFKC_Casefold, approximated by NFKC, casefold, NFKC). It is stored in that
form and looked up and throttled by it, exactly. Before this, the throttle
keyed on ``strip().lower()`` while the lookup was ``username__iexact``
(UPPER() on PostgreSQL), so ``panaly\u017ft`` (long s) reached ``panalyst`` with
a fresh attempt counter.

New names must also not be confusable with existing ones: one script only
(no Latin mixed with Cyrillic or Greek), no invisible or combining marks,
and a "skeleton" (look-alike letters and digits folded together, separators
dropped) different from every existing name and open invitation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 150
ALLOWED = re.compile(r"^[\w.@+-]+\Z")
SEPARATORS = frozenset(".@+-_")

# Letters that render like Latin ones in common fonts (a subset of Unicode's
# confusables.txt: the Cyrillic and Greek letters that pass for Latin ones),
# and the Latin digits and letters that pass for each other.
_LOOKALIKES = str.maketrans(
    # Cyrillic (and Latin script g) letters that pass for Latin ones
    "\u0430\u0432\u0435\u0451\u04bb\u0456\u0457\u0458\u043a\u043c\u043d\u043e\u0440\u0441\u0455\u0442\u0443\u0445\u0501\u051b\u051d\u0261"
    # Greek letters that pass for Latin ones
    "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03c9\u03f2"
    # Latin digits and signs that pass for letters
    "01|",
    "abeehlljkmhopcstyxdqwgabenlkvoptuxwcoll",
)


class UsernameError(ValueError):
    """Why a new username is refused: ``code`` is one of "invalid", "mixed", "confusable"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalize_username(text: str) -> str:
    """The one stored and compared form of a username (may be empty)."""
    folded = unicodedata.normalize("NFKC", text.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def _script(char: str) -> str | None:
    """The script of a letter by its Unicode name's first word (LATIN, CYRILLIC…);
    None for digits and separators, which any script may use."""
    if char in SEPARATORS or unicodedata.category(char) == "Nd":
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def skeleton(name: str) -> str:
    """What a name looks like: look-alike characters folded, separators dropped,
    and "rn" read as "m", "vv" as "w"."""
    folded = "".join(ch for ch in name.translate(_LOOKALIKES) if ch not in SEPARATORS)
    return folded.replace("rn", "m").replace("vv", "w")


def check_new_username(text: str, existing: Iterable[str]) -> str:
    """Normalise ``text`` and refuse it if invalid or confusable with ``existing``.

    Returns the normalised name. ``existing`` are the names already in use
    (accounts and open invitations), normalised; an exact match is the
    caller's "taken" error, not this one.
    """
    name = normalize_username(text)
    if not name or len(name) > MAX_LENGTH or not ALLOWED.match(name):
        raise UsernameError("invalid")
    for char in name:
        category = unicodedata.category(char)
        if category.startswith(("M", "C", "Z")):  # combining, invisible, spaces
            raise UsernameError("invalid")
    scripts = {script for char in name if (script := _script(char)) is not None}
    if len(scripts) > 1:
        raise UsernameError("mixed")
    shape = skeleton(name)
    for other in existing:
        if other != name and skeleton(other) == shape:
            raise UsernameError("confusable")
    return name
