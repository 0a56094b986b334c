"""Which cases may be counted: the statistics consent, through one door.

The consent app's helper (``amparo.consent.rules.consenting``) is the one
answer when it is installed; until then the recorded ``Consent`` rows decide:
the latest record for the "statistics" scope must be a grant that was not
revoked on the day asked about.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from amparo.cases.models import Case, Consent, ConsentScope

SCOPE = ConsentScope.STATISTICS.value


def consenting(queryset: QuerySet[Case], on: datetime.date) -> QuerySet[Case]:
    """``queryset`` narrowed to cases whose reporter consents to statistics on ``on``."""
    helper = _helper()
    if helper is not None:
        result: QuerySet[Case] = helper(queryset, SCOPE, on=on)
        return result
    return queryset.filter(_recorded_grant(on))


def not_consenting(queryset: QuerySet[Case], on: datetime.date) -> QuerySet[Case]:
    return queryset.exclude(pk__in=consenting(queryset, on).values("pk"))


def _helper() -> Any:
    try:
        from amparo.consent import rules
    except ImportError:
        return None
    return getattr(rules, "consenting", None)


def _recorded_grant(on: datetime.date) -> Exists:
    records = Consent.objects.filter(scope=SCOPE, recorded_on__lte=on)
    later = records.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    return Exists(
        records.filter(case=OuterRef("pk"), granted=True)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        .exclude(Exists(later))
    )
