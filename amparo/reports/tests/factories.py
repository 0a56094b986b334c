"""Coded cases for statistics tests, written straight to the tables.

The statistics engine reads only the clear coding, the stage, the dates and
the consent records, so these rows skip the encryption a real case carries
(its answers are empty ciphertext-shaped bytes). Cases that need keys come
from amparo.tests.base. Written past the actions, each case's row of the
statistics table is then refreshed from them, as the actions would.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from amparo.cases.models import Case, CodedPerpetrator, Coding, Consent, Stage
from amparo.reports import counted

_counter = itertools.count(1)


def coded_case(
    *,
    received_on: datetime.date = datetime.date(2025, 3, 10),
    stage: str = Stage.ASSESSED,
    statistics: bool | None = True,
    last_activity_on: datetime.date | None = None,
    perpetrators: tuple[str, ...] = (),
    **coding: Any,
) -> Case:
    n = next(_counter)
    case = Case.objects.create(
        reference=f"TST-{n:07d}",
        received_on=received_on,
        last_activity_on=last_activity_on or received_on,
        language="en",
        questionnaire_version="test",
        answers=b"\x00" * 40,
        stage=stage,
    )
    values: dict[str, Any] = {
        "reprisal_types": ["threats.death_threat"],
        "country": "UG",
        "region": "002",
        "situation": "uganda",
    }
    values.update(coding)
    made = Coding.objects.create(case=case, **values)
    for code in perpetrators:
        CodedPerpetrator.objects.create(coding=made, perpetrator=code)
    if statistics is not None:
        Consent.objects.create(
            case=case,
            scope="statistics",
            granted=statistics,
            wording_version="test",
            recorded_on=received_on,
        )
    counted.refresh(case.pk)
    return case


def many(count: int, **kwargs: Any) -> list[Case]:
    return [coded_case(**kwargs) for _ in range(count)]
