"""Needs-attention lists: filters over cases, provided by the apps above cases.

The inbox filters and marks cases with them; protection's needs-attention page
and daily digest show them. Each list belongs to the app whose data it reads
(protection's assessments and measures, operations' deletion requests), which
registers it when Django starts (its ``AppConfig.ready``), so cases reads the
lists without importing those apps (amparo/tests/test_app_layers.py). The order
of registration, that of INSTALLED_APPS, is the order on every page.

Each list is a ``Q`` over ``Case`` built for a fixed ``now``, so that every
page, the digest and the tests ask the same question and tests can fix the
clock. Nothing here decrypts anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from amparo.cases.access import visible_cases
from amparo.cases.models import Case


@dataclass(frozen=True)
class AttentionList:
    code: str
    title: Promise
    #: Shown on the page under the title: what puts a case on the list.
    rule: Promise
    build: Callable[[datetime.datetime], Q]


_registered: dict[str, AttentionList] = {}


def register(*items: AttentionList) -> None:
    """Add lists, after those already registered; a code names one list only."""
    for item in items:
        known = _registered.get(item.code)
        if known is not None and known is not item:
            raise RuntimeError(f"two needs-attention lists are called {item.code!r}")
        _registered[item.code] = item


def lists() -> tuple[AttentionList, ...]:
    return tuple(_registered.values())


def by_code(code: str) -> AttentionList | None:
    return _registered.get(code)


def any_attention(now: datetime.datetime) -> Q:
    """A case on at least one of the lists: the inbox's overdue mark."""
    # Without any list, no case is overdue (an empty Q would match them all).
    combined = Q(pk__in=[])
    for item in lists():
        combined |= item.build(now)
    return combined


def scope(user: Any) -> QuerySet[Case]:
    """Whose cases a person is reminded of: a handler's own, the whole desk for
    coordinators (the cases they may see)."""
    return visible_cases(user)


def counts(user: Any, now: datetime.datetime) -> dict[str, int]:
    """How many cases are on each list, for this person: one query per list."""
    cases = scope(user)
    return {item.code: cases.filter(item.build(now)).count() for item in lists()}
