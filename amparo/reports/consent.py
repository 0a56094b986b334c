"""Which cases may be counted: the statistics consent, through one door.

The consent app's helper is the one answer (the latest statistics record on
the day asked about must be a grant still in force); this module only names
the scope once for the statistics engine.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from amparo.cases.models import Case, ConsentScope
from amparo.consent.rules import consenting as _consenting

SCOPE = ConsentScope.STATISTICS.value


def consenting(queryset: QuerySet[Case], on: datetime.date) -> QuerySet[Case]:
    """``queryset`` narrowed to cases whose reporter consents to statistics on ``on``."""
    return _consenting(queryset, SCOPE, on=on)


def not_consenting(queryset: QuerySet[Case], on: datetime.date) -> QuerySet[Case]:
    return queryset.exclude(pk__in=consenting(Case.objects.all(), on).values("pk"))
