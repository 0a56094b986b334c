"""Deployment check: the public pages must not go live with the demo's words.

"Who runs this desk", "How long a report is kept" and "Emergency contacts"
are what a defender reads before consenting and in danger. Shipped defaults
describe no real desk and name contacts nobody on the desk has checked, so
``manage.py check --deploy`` fails in production until administrators have
written their own in every language (staff/intake/texts/).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

# The texts whose default would mislead a reporter about who they are trusting.
MUST_BE_WRITTEN = ("about", "retention", "emergency")


def desk_texts_written(**_kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    from amparo.intake.models import DeskText

    languages = [code for code, _name in settings.LANGUAGES]
    try:
        written = {
            (key, language)
            for key, language, text in DeskText.objects.values_list("key", "language", "text")
            if text.strip()
        }
    except DatabaseError:
        # Not migrated yet (or no database at hand): nothing to judge. The
        # deployment steps run `migrate` before `check --deploy`, and a
        # migrated database holds no desk text until administrators write one.
        return []
    missing = [
        f"{key} ({language})"
        for key in MUST_BE_WRITTEN
        for language in languages
        if (key, language) not in written
    ]
    if not missing:
        return []
    return [
        checks.Error(
            "The public pages still show the demo desk texts: " + ", ".join(missing) + ".",
            hint=(
                "Reporters read who runs the desk, how long reports are kept and whom to "
                "call in danger before they consent. Write your own at staff/intake/texts/ "
                "in every language."
            ),
            id="intake.E001",
        )
    ]


def register() -> None:
    checks.register(desk_texts_written, checks.Tags.security, deploy=True)
