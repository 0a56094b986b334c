"""The desk's own words on the public pages, with defaults in four languages.

Administrators replace these from staff/intake/texts/; until they do, the
defaults below are shown. Texts are plain text: blank lines make
paragraphs, and web or e-mail addresses become links.
"""

from __future__ import annotations

import json
from pathlib import Path

from amparo.intake.models import DeskText
from amparo.intake.questionnaire import language_code
from amparo.lib import process_cache

Key = DeskText.Key

# Shipped as data, like the questionnaire: translators edit the JSON file.
DEFAULTS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).resolve().parent / "data" / "desk-texts.json").read_text(encoding="utf-8")
)


def desk_texts(language: str | None = None) -> dict[str, str]:
    """Every desk text in the language, the administrators' wording first: one query,
    then kept per process until a text changes (amparo.lib.process_cache)."""
    lang = language_code(language)
    return dict(process_cache.remember(("desk_texts", lang), lambda: _read(lang)))


def _read(lang: str) -> dict[str, str]:
    texts = {key: DEFAULTS[key][lang] for key in Key.values}
    for key, text in DeskText.objects.filter(language=lang).values_list("key", "text"):
        if text.strip() and key in texts:
            texts[key] = text
    return texts
