"""Which cases may be counted: the statistics consent, read from the statistics table.

The rule is the consent app's (``amparo.consent.rules``): on the day asked
about, the latest statistics record of the case must be a grant still in
force (no ``until``, or ``until`` on or after that day). The statistics
table (``CountedCase``, kept by amparo/reports/counted.py) holds each case's
latest record: granted, the day it was recorded (``consent_since``) and its
``until``. On any day on or after ``consent_since`` that record is the
latest one the rule looks at, so the answer is in the row's own columns.

Only for a day before the latest record (a question about the past, which
the desk's own releases never ask: they count on the day of release) does
the filter go back to the records, as a semi-join and an anti-join ("a grant
in force with no later statistics record"). tests/test_consent_parity.py
holds the whole filter to the consent rule's answers.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q

from amparo.cases.models import Consent, ConsentScope

SCOPE = ConsentScope.STATISTICS.value


def _from_records(on: datetime.date) -> Exists:
    """True for a row whose case's latest statistics record on ``on`` is a grant in force."""
    records = Consent.objects.filter(scope=SCOPE, recorded_on__lte=on)
    later = records.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    return Exists(
        records.filter(case=OuterRef("case_id"), granted=True)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .exclude(Exists(later))
    )


def from_row(on: datetime.date) -> Q:
    """``in_force`` for the rows whose latest record is not after ``on`` (the
    row's own columns answer; no subquery). False for the other rows."""
    return (
        Q(consent_since__lte=on)
        & Q(consent_granted=True)
        & (Q(consent_until__isnull=True) | Q(consent_until__gte=on))
    )


def in_force(on: datetime.date) -> Q:
    """Rows of the statistics table whose reporter consents to statistics on ``on``."""
    return from_row(on) | (Q(consent_since__gt=on) & Q(_from_records(on)))
