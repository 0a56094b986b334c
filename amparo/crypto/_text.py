"""Tolerant reading of codes that people copy by hand (receipts, recovery keys)."""

import unicodedata
from collections.abc import Iterator

# Characters people put between groups when they copy a code by hand or paste it from
# a phone: punctuation used as group separators in the four UI languages, plus the
# Arabic comma and decimal/thousands separators. Whitespace and dashes are matched by
# category below, so NBSP, narrow NBSP, en dash, non-breaking hyphen etc. are covered.
_EXTRA_SEPARATORS = frozenset("_.,/:;·•'\u2212\u060c\u066b\u066c\u30fb")

# Long enough for any honest formatting of a 28-character code; refusing more bounds
# the work an attacker can make us do per request.
MAX_INPUT_LENGTH = 200


def significant_characters(text: str) -> Iterator[str]:
    """Yield the characters of text that matter: separators and invisible marks dropped,
    every Unicode decimal digit (Arabic-Indic, Persian, full-width...) mapped to ASCII,
    full-width letters folded to ASCII. Anything else is yielded as is for the caller to
    refuse: superscripts, circled digits and the like are not what we print.
    """
    for char in text:
        category = unicodedata.category(char)
        # Cf covers the bidi marks (U+200E/U+200F/U+061C), embeddings and isolates
        # (U+202A-U+202E, U+2066-U+2069), zero-width spaces/joiners and the BOM that an
        # RTL text field or a copy from a PDF slips in. They are invisible, so a person
        # cannot know they typed them.
        if char.isspace() or category in ("Pd", "Zs", "Cf") or char in _EXTRA_SEPARATORS:
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            yield str(digit)
        elif unicodedata.decomposition(char).startswith("<wide>"):
            # What an East Asian input method types for Latin letters.
            yield unicodedata.normalize("NFKC", char)
        else:
            yield char
