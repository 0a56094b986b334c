"""The statistics engine's consent filter (read from the statistics table)
answers exactly as the consent app's rule, on every history that matters,
on days after the latest record (the row's own columns) and before it (the
records themselves)."""

from __future__ import annotations

import datetime

from amparo.cases.models import Case, Consent
from amparo.consent.rules import consenting as rule
from amparo.reports import counted
from amparo.reports.consent import in_force
from amparo.reports.models import CountedCase
from amparo.reports.tests.factories import coded_case
from amparo.tests.base import AmparoTestCase

D = datetime.date


def record(
    case: Case, granted: bool, on: datetime.date, until: datetime.date | None = None
) -> None:
    Consent.objects.create(
        case=case,
        scope="statistics",
        granted=granted,
        wording_version="test",
        recorded_on=on,
        until=until,
    )


class ParityTests(AmparoTestCase):
    def test_it_agrees_with_the_consent_rule(self) -> None:
        start = D(2025, 1, 1)
        histories: dict[str, list[tuple[bool, datetime.date, datetime.date | None]]] = {
            "granted": [(True, start, None)],
            "refused": [(False, start, None)],
            "withdrawn": [(True, start, None), (False, D(2025, 6, 1), None)],
            "granted again": [
                (True, start, None),
                (False, D(2025, 3, 1), None),
                (True, D(2025, 5, 1), None),
            ],
            "lapsed": [(True, start, D(2025, 4, 30))],
            "in force until later": [(True, start, D(2026, 12, 31))],
            "withdrawn only later": [(True, start, None), (False, D(2027, 1, 1), None)],
            "granted only later": [(True, D(2027, 1, 1), None)],
            "none": [],
        }
        for history in histories.values():
            case = coded_case(received_on=start, statistics=None)
            for granted, day, until in history:
                record(case, bool(granted), day, until)  # type: ignore[arg-type]
            counted.refresh(case.pk)
        # Another scope never counts.
        other = coded_case(received_on=start, statistics=None)
        Consent.objects.create(
            case=other, scope="contact", granted=True, wording_version="t", recorded_on=start
        )
        counted.refresh(other.pk)
        days = (
            D(2024, 12, 31),
            start,
            D(2025, 2, 1),
            D(2025, 3, 1),
            D(2025, 4, 1),
            D(2025, 4, 30),
            D(2025, 5, 1),
            D(2025, 5, 15),
            D(2025, 7, 1),
            D(2026, 1, 1),
            D(2027, 1, 1),
            D(2027, 6, 1),
        )
        for day in days:
            ours = set(CountedCase.objects.filter(in_force(day)).values_list("case_id", flat=True))
            theirs = set(
                rule(Case.objects.all(), "statistics", on=day).values_list("pk", flat=True)
            )
            assert ours == theirs, day
            if day == D(2026, 1, 1):
                # Granted, granted again, in force until later, withdrawn only later.
                assert len(ours) == 4
