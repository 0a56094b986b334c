"""Which cases may be counted: the statistics consent, set-based.

The rule is the consent app's (``amparo.consent.rules``): on the day asked
about, the latest statistics record of the case must be a grant still in
force (no ``until``, or ``until`` on or after that day). ``rules.consenting``
answers it with a correlated "latest record" subquery per case, which
PostgreSQL runs once per row (about 40 s for a million cases here). This
module states the same rule as a semi-join and an anti-join ("a grant in
force with no later statistics record"), which the database runs as hash
joins; tests/test_consent_parity.py holds the two to the same answers.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from amparo.cases.models import Case, Consent, ConsentScope

SCOPE = ConsentScope.STATISTICS.value


def granted_filter(on: datetime.date) -> Exists:
    """True for a case whose latest statistics record on ``on`` is a grant in force."""
    records = Consent.objects.filter(scope=SCOPE, recorded_on__lte=on)
    later = records.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    return Exists(
        records.filter(case=OuterRef("pk"), granted=True)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .exclude(Exists(later))
    )


def consenting(queryset: QuerySet[Case], on: datetime.date) -> QuerySet[Case]:
    """``queryset`` narrowed to cases whose reporter consents to statistics on ``on``."""
    return queryset.filter(granted_filter(on))
