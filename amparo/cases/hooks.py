"""What the cases app asks of the apps above it (see amparo.core.hooks)."""

from __future__ import annotations

from typing import Any

from amparo.cases.models import Case
from amparo.core.hooks import Hook

# Does the reporter of this case consent to be contacted today? Asked before
# every desk message, at the moment of use.
may_contact: Hook[[Case], bool] = Hook("may_contact", provided_by="consent")

# The questionnaires belong to intake. The desk reads a reporter's answers in the
# order and words of the version they were given with, in the reader's language:
# sections with a ``title`` and ``answers`` (``question_id``, ``label``, ``value``,
# ``long``). Without intake, the desk shows plain keys (amparo/cases/answers.py).
labelled_answers: Hook[[str, dict[str, Any]], list[Any]] = Hook(
    "labelled_answers", provided_by="intake"
)
# The questionnaire new reports are answered with (its definition), for entering
# a report on someone's behalf.
current_questionnaire: Hook[[], dict[str, Any]] = Hook(
    "current_questionnaire", provided_by="intake"
)
# One of a questionnaire's texts ({"en": ..., "fr": ...}) in the reader's language.
questionnaire_text: Hook[[dict[str, str] | None], str] = Hook(
    "questionnaire_text", provided_by="intake"
)
