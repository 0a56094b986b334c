"""Every change to the reference data made from the desk.

Each ``do_*`` runs in one transaction, marks the row as edited by an administrator
(so that ``load_reference_data`` keeps the edit unless told to overwrite)
and writes a ``reference_changed`` audit event naming the fields changed.
The event carries codes and field names only: reference data is not case
content, but the audit log stays small and flat.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max

from amparo.audit.log import record
from amparo.audit.models import Action
from amparo.reference import api
from amparo.reference.models import (
    LANGUAGE_CODES,
    ReferenceList,
    Situation,
    StateParty,
    Term,
)


def do_update_list(
    actor: AbstractBaseUser, reference_list: ReferenceList, *, as_of: datetime.date, source: str
) -> list[str]:
    """Record when the list was last checked and against what. Returns the fields changed."""
    return _save(
        actor,
        reference_list,
        {"as_of": as_of, "source": source},
        target_type="reference_list",
        target_id=reference_list.code,
    )


def do_update_term(
    actor: AbstractBaseUser,
    term: Term,
    *,
    labels: Mapping[str, str],
    position: int,
    active: bool,
) -> list[str]:
    """Change a term's labels, position or active flag; its code never changes."""
    values: dict[str, Any] = {f"label_{lang}": labels[lang] for lang in LANGUAGE_CODES}
    values.update(position=position, active=active)
    return _save(
        actor,
        term,
        values,
        target_type="reference_term",
        target_id=f"{term.reference_list.code}:{term.code}",
    )


def do_add_term(
    actor: AbstractBaseUser,
    reference_list: ReferenceList,
    *,
    code: str,
    parent: Term | None,
    labels: Mapping[str, str],
    position: int | None = None,
    active: bool = True,
) -> Term:
    """Add a term to a list, after its siblings unless a position is given."""
    with transaction.atomic():
        if position is None:
            last = Term.objects.filter(reference_list=reference_list, parent=parent).aggregate(
                last=Max("position")
            )["last"]
            position = (last or 0) + 1
        term = Term.objects.create(
            reference_list=reference_list,
            code=code,
            parent=parent,
            position=position,
            active=active,
            locally_edited=True,
            **{f"label_{lang}": labels[lang] for lang in LANGUAGE_CODES},
        )
        record(
            actor,
            Action.REFERENCE_CHANGED,
            target_type="reference_term",
            target_id=f"{reference_list.code}:{code}",
            details={"change": "added", "parent": parent.code if parent else ""},
        )
    api.invalidate()
    return term


def do_update_situation(
    actor: AbstractBaseUser,
    situation: Situation,
    *,
    names: Mapping[str, str],
    status: str,
    countries: Sequence[str],
    as_of: datetime.date,
    note: str,
    status_date: datetime.date | None = None,
) -> list[str]:
    values: dict[str, Any] = {f"name_{lang}": names[lang] for lang in LANGUAGE_CODES}
    values.update(
        status=status,
        status_date=status_date,
        countries=list(countries),
        as_of=as_of,
        note=note,
    )
    return _save(actor, situation, values, target_type="situation", target_id=situation.code)


def do_update_state_party(
    actor: AbstractBaseUser,
    party: StateParty,
    *,
    instrument_deposited: datetime.date,
    entry_into_force: datetime.date,
    withdrawal_notified: datetime.date | None,
    withdrawal_effective: datetime.date | None,
    note: str,
    as_of: datetime.date,
) -> list[str]:
    values: dict[str, Any] = {
        "instrument_deposited": instrument_deposited,
        "entry_into_force": entry_into_force,
        "withdrawal_notified": withdrawal_notified,
        "withdrawal_effective": withdrawal_effective,
        "note": note,
        "as_of": as_of,
    }
    return _save(actor, party, values, target_type="state_party", target_id=str(party.country))


def _save(
    actor: AbstractBaseUser,
    instance: models.Model,
    values: Mapping[str, Any],
    *,
    target_type: str,
    target_id: str,
) -> list[str]:
    """Apply the values that differ, mark the row edited and audit it; nothing if none differ."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(instance, name, values[name])
        instance.locally_edited = True  # type: ignore[attr-defined]
        instance.save(update_fields=[*changed, "locally_edited"])
        record(
            actor,
            Action.REFERENCE_CHANGED,
            target_type=target_type,
            target_id=target_id,
            details={"change": "edited", "fields": changed},
        )
    api.invalidate()
    return changed
