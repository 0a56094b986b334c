"""Demo assessments and plans for ``manage.py seed_demo``, made through the real actions.

Invented content in the case's language; like the rest of the demo data,
any likeness to real people is accidental.
"""

from __future__ import annotations

import datetime
import random

from amparo.accounts.models import User
from amparo.cases.vault import OpenCase
from amparo.protection.actions import (
    CAPACITY_LIST,
    VULNERABILITY_LIST,
    AssessmentValues,
    MeasureValues,
    Rating,
    Threat,
    current_assessment,
    do_add_measure,
    do_assess,
    do_update_measure,
    measure_kinds,
)
from amparo.protection.models import MeasureStatus
from amparo.reference import api as reference

FACTS = {
    "en": [
        "Two men waited outside the office and said the work with the Court must stop.",
        "Anonymous calls at night repeating the names of the children.",
        "A summons to the security service without a stated reason.",
    ],
    "fr": [
        "Deux hommes ont attendu devant les locaux et ont dit que le travail avec la Cour "
        "devait cesser.",
        "Des appels anonymes la nuit qui répètent les prénoms des enfants.",
        "Une convocation au service de sécurité sans motif indiqué.",
    ],
    "es": [
        "Dos hombres esperaron frente a la sede y dijeron que el trabajo con la Corte debía parar.",
        "Llamadas anónimas de noche que repiten los nombres de los hijos.",
        "Una citación al servicio de seguridad sin motivo indicado.",
    ],
    "ar": [
        "انتظر رجلان أمام المقر وقالا إن العمل مع المحكمة يجب أن يتوقف.",
        "مكالمات مجهولة ليلًا تردد أسماء الأطفال.",
        "استدعاء إلى جهاز الأمن دون ذكر السبب.",
    ],
}
CONCLUSION = {
    "en": "The threat is serious and linked to the cooperation with the Court.",
    "fr": "La menace est sérieuse et liée à la coopération avec la Cour.",
    "es": "La amenaza es seria y está vinculada a la cooperación con la Corte.",
    "ar": "التهديد جدي ومرتبط بالتعاون مع المحكمة.",
}
REASON = {
    "en": "Said during the first call.",
    "fr": "Dit lors du premier appel.",
    "es": "Dicho en la primera llamada.",
    "ar": "ذُكر في المكالمة الأولى.",
}
OUTCOME = {
    "en": "Carried out as planned.",
    "fr": "Réalisée comme prévu.",
    "es": "Realizada según lo previsto.",
    "ar": "نُفّذ كما كان مقررًا.",
}


def assess(opened: OpenCase, actor: User, rng: random.Random, *, today: datetime.date) -> None:
    """Record one assessment of the case (another if it already has one) on ``today``."""
    language = opened.case.language
    perpetrators = [code for code, _l in reference.choices("perpetrator", language="en")]

    def ratings(list_code: str) -> dict[str, Rating]:
        items = [code for code, _l in reference.choices(list_code, language="en")]
        return {
            code: Rating(rng.choice(["low", "medium", "high"]), REASON[language])
            for code in rng.sample(items, k=rng.randint(1, 3))
        }

    values = AssessmentValues(
        threats=[
            Threat(
                facts=rng.choice(FACTS[language]),
                source_type=rng.choice(perpetrators),
                conclusion=CONCLUSION[language],
            )
            for _ in range(rng.randint(1, 2))
        ],
        likelihood=rng.randint(1, 4),
        impact=rng.randint(1, 4),
        vulnerabilities=ratings(VULNERABILITY_LIST),
        capacities=ratings(CAPACITY_LIST),
        clear_and_present=rng.random() < 0.05,
    )
    current = current_assessment(opened.case)
    do_assess(opened, actor, values, expected_number=current.number if current else 0, today=today)


def plan(
    opened: OpenCase, actor: User, rng: random.Random, *, carry_out: bool, today: datetime.date
) -> None:
    """Propose one or two measures on ``today``; with ``carry_out``, move them along."""
    kinds = [code for code, _l in measure_kinds("en")]
    for _ in range(rng.randint(1, 2)):
        values = MeasureValues(
            kind=rng.choice(kinds),
            owner=actor,
            due_on=today + datetime.timedelta(days=rng.randint(3, 30)),
            defender_agreed=rng.choice(["yes", "yes", "not_asked"]),
            show_to_reporter=rng.random() < 0.5,
        )
        measure = do_add_measure(opened, actor, values, today=today)
        if carry_out:
            for status in rng.choice(
                [
                    [MeasureStatus.IN_PROGRESS],
                    [MeasureStatus.REQUESTED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE],
                    [MeasureStatus.DECLINED],
                ]
            ):
                if status == MeasureStatus.DONE:
                    values.outcome = OUTCOME[opened.case.language]
                measure = do_update_measure(
                    opened,
                    actor,
                    measure,
                    values,
                    status=status,
                    expected_version=measure.version,
                    today=today,
                )
