"""The case's coding: reference codes only, versioned, never free text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.actions.common import CaseError
from amparo.cases.models import Case, CodedPerpetrator, Coding
from amparo.cases.signals import statistics_facts_changed
from amparo.reference import api as reference_api


@dataclass
class CodingValues:
    """What the coding form produces: reference codes only, never free text."""

    reprisal_types: list[str]
    target: str
    defender_profiles: list[str]
    situation: str
    engagement: list[str]
    country: str
    region: str
    month: Any  # datetime.date (the 1st) or None
    perpetrators: list[tuple[str, str, str]]  # (perpetrator, involvement, confidence)
    # Linked to an Assembly session (reference codes; all three empty when not).
    assembly_session: str = ""
    assembly_timing: str = ""
    assembly_mode: str = ""


CODING_FIELDS = (
    "reprisal_types",
    "target",
    "defender_profiles",
    "situation",
    "engagement",
    "country",
    "region",
    "month",
    "assembly_session",
    "assembly_timing",
    "assembly_mode",
)


# The reference lists a coding draws on; each coding records their versions.
CODED_LISTS = (
    "reprisal_type",
    "target",
    "defender_profile",
    "engagement",
    "perpetrator",
    "involvement",
    "confidence",
)


def _vocabulary_versions() -> dict[str, int]:
    versions = {}
    for code in CODED_LISTS:
        try:
            versions[code] = reference_api.list_version(code)
        except LookupError:
            continue
    return versions


def do_code_case(
    actor: User, case: Case, values: CodingValues, *, expected_version: int | None
) -> Coding:
    """Save the case's coding; ``expected_version`` None means "there was none yet".

    Two handlers editing at once: the second save finds the version moved on
    (or the coding created) and is refused with CaseError("stale_coding").
    """
    fields: dict[str, Any] = {name: getattr(values, name) for name in CODING_FIELDS}
    fields["vocabulary_versions"] = _vocabulary_versions()
    with transaction.atomic():
        current = Coding.objects.filter(case=case).first()
        old_perpetrators: list[tuple[str, str, str]] = []
        if expected_version is None:
            if current is not None:
                raise CaseError("stale_coding")
            try:
                with transaction.atomic():
                    coding = Coding.objects.create(case=case, coded_by=actor, **fields)
            except IntegrityError:
                raise CaseError("stale_coding") from None
            changed = [name for name in CODING_FIELDS if fields[name]]
        else:
            if current is None:
                raise CaseError("stale_coding")
            updated = Coding.objects.filter(pk=current.pk, version=expected_version).update(
                version=F("version") + 1, coded_by=actor, coded_at=timezone.now(), **fields
            )
            if not updated:
                raise CaseError("stale_coding")
            changed = [name for name in CODING_FIELDS if getattr(current, name) != fields[name]]
            old_perpetrators = [
                (p.perpetrator, p.involvement, p.confidence) for p in current.perpetrators.all()
            ]
            coding = Coding.objects.get(pk=current.pk)
        if old_perpetrators != values.perpetrators:
            changed.append("perpetrators")
            coding.perpetrators.all().delete()
            CodedPerpetrator.objects.bulk_create(
                CodedPerpetrator(
                    coding=coding, perpetrator=perpetrator, involvement=involvement, confidence=c
                )
                for perpetrator, involvement, c in values.perpetrators
            )
        statistics_facts_changed.send(sender=Case, case=case)
        record(
            actor,
            "coding_changed",
            target_type="case",
            target_id=case.public_id,
            details={"fields": changed, "version": coding.version},
        )
    return coding
