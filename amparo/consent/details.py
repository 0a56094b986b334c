"""The details of a case that consent to share can name, one code each.

``answer:<question id>`` for each answer given, ``coding`` for the coding,
``risk_summary`` for the current risk assessment's summary (when the
protection app provides one) and ``file:<public id>`` for each file. Labels
and values are read from the opened case, in the language asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from amparo.cases.models import Attachment
from amparo.cases.vault import OpenCase
from amparo.consent.rules import ANSWER_PREFIX, CODING, FILE_PREFIX, RISK_SUMMARY

logger = logging.getLogger("amparo.consent")


@dataclass
class Detail:
    code: str
    label: str
    value: str = ""
    long: bool = False
    attachment: Attachment | None = None


def _answer_details(opened: OpenCase, language: str | None) -> list[Detail]:
    answers = opened.answers()
    if not isinstance(answers, dict):
        return []
    from amparo.cases import answers as desk_answers

    labels: dict[str, tuple[str, str, bool]] = {}
    try:
        from amparo.intake import questionnaire

        # A savepoint: an unreadable questionnaire falls back to plain labels.
        with transaction.atomic():
            for section in questionnaire.labelled_answers(
                opened.case.questionnaire_version, answers, language
            ):
                for answer in section.answers:
                    labels[answer.question_id] = (answer.label, answer.value, answer.long)
    except (ImportError, LookupError, KeyError, TypeError, ValueError, DatabaseError):
        labels = {}
    details = []
    for key, raw in answers.items():
        if raw in (None, "", [], {}):
            continue
        label, value, long = labels.get(key, (key, "", False))
        if label == key:
            label = str(desk_answers._label(key))
        if not value:
            value = desk_answers._plain(raw)
        details.append(Detail(f"{ANSWER_PREFIX}{key}", label, value, long))
    return details


def _coding_detail(opened: OpenCase) -> Detail | None:
    from amparo.cases.models import Coding

    coding = Coding.objects.filter(case=opened.case).first()
    if coding is None:
        return None
    from amparo.reference import api as reference

    parts = []
    for code in coding.reprisal_types:
        parts.append(reference.term_label("reprisal_type", code))
    if coding.situation:
        parts.append(reference.situation_name(coding.situation))
    if coding.country:
        parts.append(reference.country_name(coding.country))
    if coding.month:
        parts.append(coding.month.strftime("%Y-%m"))
    return Detail(
        CODING, _("Coding (type of reprisal, situation, country, month)"), "; ".join(parts)
    )


def _risk_detail(opened: OpenCase) -> Detail | None:
    """The current assessment's level, likelihood, impact and threat conclusions."""
    try:
        from amparo.protection.levels import Level
        from amparo.protection.models import Assessment
    except ImportError:  # protection not installed
        return None
    assessment = Assessment.objects.filter(case=opened.case, is_current=True).first()
    if assessment is None:
        return None
    content = opened.decrypt_json(assessment.content, assessment.aad_field())
    lines = [
        _("Risk level: %(level)s (likelihood %(likelihood)s of 4, impact %(impact)s of 4)")
        % {
            "level": Level(assessment.level).label,
            "likelihood": content.get("likelihood", "?"),
            "impact": content.get("impact", "?"),
        },
    ]
    if content.get("clear_and_present"):
        lines.append(_("A clear and present threat."))
    for threat in content.get("threats", []):
        conclusion = str(threat.get("conclusion") or "").strip()
        if conclusion:
            lines.append(_("Threat: %(conclusion)s") % {"conclusion": conclusion})
    lines.append(_("Next assessment: %(day)s") % {"day": assessment.review_on.isoformat()})
    return Detail(RISK_SUMMARY, _("Summary of the current risk assessment"), "\n".join(lines), True)


def _file_details(opened: OpenCase) -> list[Detail]:
    details = []
    for attachment in Attachment.objects.filter(case=opened.case).order_by("id"):
        meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
        name = str(meta.get("name") or _("file"))
        details.append(
            Detail(
                f"{FILE_PREFIX}{attachment.public_id}",
                _("File: %(name)s") % {"name": name},
                name,
                attachment=attachment,
            )
        )
    return details


def case_details(opened: OpenCase, language: str | None = None) -> list[Detail]:
    """Every detail of the case that can be shared, labelled in ``language``."""
    with translation.override(language or translation.get_language()):
        details = _answer_details(opened, language)
        coding = _coding_detail(opened)
        if coding is not None:
            details.append(coding)
        risk = _risk_detail(opened)
        if risk is not None:
            details.append(risk)
        details += _file_details(opened)
    return details


def labels_for(opened: OpenCase, codes: list[str], language: str | None = None) -> list[str]:
    """The readable names of ``codes`` (a code the case no longer has is named as gone)."""
    known = {detail.code: detail.label for detail in case_details(opened, language)}
    return [known.get(code, _("A detail that no longer exists")) for code in codes]


def by_code(details: list[Detail]) -> dict[str, Any]:
    return {detail.code: detail for detail in details}
