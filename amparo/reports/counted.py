"""The statistics table (``CountedCase``): one narrow row per coded case.

Counting a million cases straight from the source (the coding's JSON lists
and the append-only consent records, whose latest record per case had to be
found by a join over every record) took seconds. This table holds the same
facts in plain columns, so that a cross-tabulation is one ``GROUP BY`` over
one table: the codes of each field (several values sorted and joined with
commas), the day received and its month, whether the stage is counted at
all, and the latest statistics consent record (granted, since, until).

It is kept in step by the desk's own actions, inside their transaction:

- saving a coding (``cases.actions.do_code_case``) and any change of stage
  (``cases.actions._claim``) send ``cases.signals.statistics_facts_changed``;
- recording a consent (``consent.actions.do_record_consent``: grants,
  withdrawals, answers to a request) sends ``consent_recorded``;
- shredding (``operations.actions.do_shred_case``, by hand or by the
  retention policy) sends ``statistics_facts_changed`` once the content is
  gone: the row comes back for a shell kept for statistics, and is gone with
  a deleted case (the foreign key cascades).

Each receiver recomputes the whole row from the source (``refresh``), never
an increment, under a lock on the case, so that the last of two concurrent
changes sees both. A consent's end date needs no action: the row keeps the
``until`` of the latest record and the engine reads it on the day asked.
``manage.py rebuild_statistics`` rebuilds the table from the source (an
install upgrading runs it through migration 0002) and ``--check`` compares.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps as installed_apps
from django.db import connection, transaction

GetModel = Callable[[str, str], Any]

#: Stages never counted (cases.models.Stage; spelled out for the migration).
EXCLUDED_STAGES = ("not_a_reprisal", "duplicate")
STATISTICS = "statistics"
BATCH = 5_000

#: The row's coded columns, and the coding field each comes from.
SINGLE = {
    "situation": "situation",
    "country": "country",
    "region": "region",
    "assembly_session": "assembly_session",
    "assembly_timing": "assembly_timing",
    "assembly_mode": "assembly_mode",
}
SEVERAL = {
    "reprisal_types": "reprisal_types",
    "engagement": "engagement",
    "profiles": "defender_profiles",
}
COLUMNS = (
    "received_on",
    "month",
    "countable",
    "consent_granted",
    "consent_since",
    "consent_until",
    *SEVERAL,
    "perpetrators",
    *SINGLE,
)


def joined(codes: Iterable[str] | None) -> str:
    """Several codes as one column: sorted, each once, joined with commas."""
    return ",".join(sorted({code for code in codes or () if code}))


def _ranges(case_ids: list[int], size: int) -> Iterator[tuple[int, int]]:
    """Consecutive (first, last) case ids covering ``size`` coded cases each."""
    for start in range(0, len(case_ids), size):
        chunk = case_ids[start : start + size]
        yield chunk[0], chunk[-1]


def rows_for(
    case_ids: Iterable[int] | None = None,
    *,
    between: tuple[int, int] | None = None,
    get_model: GetModel = installed_apps.get_model,
) -> list[dict[str, Any]]:
    """The rows the table should hold for these cases (by id, or every case
    whose id is ``between`` two ids, inclusive), from the source: three queries."""
    coding_model = get_model("cases", "Coding")
    perpetrator_model = get_model("cases", "CodedPerpetrator")
    consent_model = get_model("cases", "Consent")
    if between is not None:
        lookup: dict[str, Any] = {"case_id__gte": between[0], "case_id__lte": between[1]}
        by_coding: dict[str, Any] = {
            "coding__case_id__gte": between[0],
            "coding__case_id__lte": between[1],
        }
    else:
        ids = list(case_ids or ())
        lookup = {"case_id__in": ids}
        by_coding = {"coding__case_id__in": ids}
    codings = list(
        coding_model.objects.filter(**lookup).values(
            "id", "case_id", "case__received_on", "case__stage", *SINGLE.values(), *SEVERAL.values()
        )
    )
    perpetrators: dict[int, list[str]] = {}
    for coding_id, code in perpetrator_model.objects.filter(**by_coding).values_list(
        "coding_id", "perpetrator"
    ):
        perpetrators.setdefault(coding_id, []).append(code)
    latest: dict[int, tuple[bool, datetime.date, datetime.date | None]] = {}
    # Ordered by id: the last record of a case wins, as in consent.rules.
    for case_id, granted, recorded_on, until in (
        consent_model.objects.filter(scope=STATISTICS, **lookup)
        .order_by("id")
        .values_list("case_id", "granted", "recorded_on", "until")
    ):
        latest[case_id] = (granted, recorded_on, until)
    rows = []
    for coding in codings:
        received: datetime.date = coding["case__received_on"]
        granted, since, until = latest.get(coding["case_id"], (False, None, None))
        row: dict[str, Any] = {
            "case_id": coding["case_id"],
            "received_on": received,
            "month": received.replace(day=1),
            "countable": coding["case__stage"] not in EXCLUDED_STAGES,
            "consent_granted": bool(granted),
            "consent_since": since,
            "consent_until": until,
            "perpetrators": joined(perpetrators.get(coding["id"])),
        }
        for column, source in SEVERAL.items():
            row[column] = joined(coding[source])
        for column, source in SINGLE.items():
            row[column] = coding[source] or ""
        rows.append(row)
    return rows


def refresh(case_id: int) -> None:
    """Recompute one case's row from the source, inside the caller's transaction."""
    case_model = installed_apps.get_model("cases", "Case")
    counted = installed_apps.get_model("reports", "CountedCase")
    with transaction.atomic():
        # Changes of one case refresh one after the other: the last sees them all.
        list(case_model.objects.select_for_update().filter(pk=case_id).values_list("pk"))
        rows = rows_for([case_id])
        if not rows:
            counted.objects.filter(case_id=case_id).delete()
            return
        row = rows[0]
        counted.objects.update_or_create(case_id=case_id, defaults={c: row[c] for c in COLUMNS})


def rebuild(get_model: GetModel = installed_apps.get_model, batch: int = BATCH) -> int:
    """Empty the table and fill it again from the source; the number of rows."""
    coding_model = get_model("cases", "Coding")
    counted = get_model("reports", "CountedCase")
    # A migration passes its historical models: fill only the columns they have.
    names = {f.attname for f in counted._meta.concrete_fields}
    written = 0
    with transaction.atomic():
        # One DELETE (nothing points at the table); TRUNCATE would refuse
        # inside a transaction that already changed it.
        counted.objects.all().delete()
        case_ids = list(coding_model.objects.order_by("case_id").values_list("case_id", flat=True))
        for between in _ranges(case_ids, batch):
            rows = rows_for(between=between, get_model=get_model)
            counted.objects.bulk_create(
                [counted(**{k: v for k, v in row.items() if k in names}) for row in rows],
                batch_size=batch,
            )
            written += len(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The planner's statistics, for the first releases after a rebuild.
                cursor.execute(f"ANALYZE {counted._meta.db_table}")
    return written


def differences(batch: int = BATCH) -> list[int]:
    """Ids of the cases whose row is missing, extra or not what the source says."""
    coding_model = installed_apps.get_model("cases", "Coding")
    counted = installed_apps.get_model("reports", "CountedCase")
    expected_ids = list(coding_model.objects.order_by("case_id").values_list("case_id", flat=True))
    stored_ids = set(counted.objects.values_list("case_id", flat=True))
    wrong = sorted(stored_ids - set(expected_ids))
    for first, last in _ranges(expected_ids, batch):
        stored = {
            row["case_id"]: row
            for row in counted.objects.filter(case_id__gte=first, case_id__lte=last).values(
                "case_id", *COLUMNS
            )
        }
        for row in rows_for(between=(first, last)):
            if stored.get(row["case_id"]) != row:
                wrong.append(row["case_id"])
    return sorted(wrong)


# --- Receivers (connected in apps.py) ------------------------------------------


def on_facts_changed(sender: Any, *, case: Any, **kwargs: Any) -> None:
    refresh(case.pk)


def on_consent_recorded(sender: Any, *, consent: Any, **kwargs: Any) -> None:
    if consent.scope == STATISTICS:
        refresh(consent.case_id)
