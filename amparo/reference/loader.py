"""Load the reference data modules into the database: one idempotent upsert.

The data migration and ``manage.py load_reference_data`` both call
``load_reference_data``. Rows are matched by code (by country for States
Parties). A row an administrator edited in the desk (``locally_edited``) is
left as it is unless ``overwrite=True``; rows that have vanished from the
data modules are never deleted, because cases may still hold their codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import models, transaction

from amparo.lib import process_cache
from amparo.reference.data import sessions as session_data
from amparo.reference.data import situations as situation_data
from amparo.reference.data import states_parties as party_data
from amparo.reference.data import vocabularies as vocabulary_data


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by an administrator, left alone
    unknown: list[str] = field(default_factory=list)  # in the database, not in the data

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.kept)} kept (edited by an administrator), "
            f"{len(self.unknown)} in the database only"
        )


def load_reference_data(apps: Apps | None = None, *, overwrite: bool = False) -> LoadReport:
    """Upsert every vocabulary, situation and State Party from the data modules.

    ``apps`` is the historical registry when called from a migration. Running
    it twice changes nothing the second time.
    """
    registry = apps or global_apps
    loader = _Loader(registry, overwrite)
    with transaction.atomic():
        loader.vocabularies(vocabulary_data.VOCABULARIES)
        loader.situations(situation_data.SITUATIONS)
        loader.states_parties(party_data.STATES_PARTIES)
        loader.sessions(session_data.SESSIONS)
    # Its update() calls send no signal: every process reads the lists again.
    process_cache.invalidate()
    return loader.report


class _Loader:
    def sessions(self, sessions: Iterable[session_data.SessionData]) -> None:
        """Upsert the Assembly's sessions (skipped before their table exists)."""
        try:
            model = self.registry.get_model("reference", "AssemblySession")
        except LookupError:
            return  # an older migration state: a later migration loads them
        for session in sessions:
            en, fr, es, ar = session.place
            values = {
                "number": session.number,
                "special": session.special,
                "place_en": en,
                "place_fr": fr,
                "place_es": es,
                "place_ar": ar,
                "start": session.start,
                "end": session.end,
                "verified": session.verified,
                "source": session.source,
                "note": session.note,
                "as_of": session_data.AS_OF,
            }
            row = model.objects.filter(code=session.code).first()
            name = f"session {session.code}"
            if row is None:
                model.objects.create(code=session.code, **values)
                self.report.created.append(name)
            elif row.locally_edited and not self.overwrite:
                self.report.kept.append(name)
            elif any(getattr(row, key) != value for key, value in values.items()):
                model.objects.filter(pk=row.pk).update(**values, locally_edited=False)
                self.report.updated.append(name)

    def __init__(self, registry: Apps, overwrite: bool) -> None:
        self.registry = registry
        self.ReferenceList = registry.get_model("reference", "ReferenceList")
        self.Term = registry.get_model("reference", "Term")
        self.Situation = registry.get_model("reference", "Situation")
        self.StateParty = registry.get_model("reference", "StateParty")
        self.overwrite = overwrite
        self.report = LoadReport()

    def vocabularies(self, vocabularies: Iterable[vocabulary_data.Vocabulary]) -> None:
        existing_lists = {row.code: row for row in self.ReferenceList.objects.all()}
        for position, vocabulary in enumerate(vocabularies, start=1):
            values = {
                **_labels("label", vocabulary),
                "position": position,
                "as_of": vocabulary.as_of,
                "source": vocabulary.source,
                "version": vocabulary.version,
            }
            reference_list = self._upsert(
                self.ReferenceList,
                existing_lists.get(vocabulary.code),
                {"code": vocabulary.code},
                values,
                f"list {vocabulary.code}",
            )
            terms = {
                row.code: row for row in self.Term.objects.filter(reference_list=reference_list)
            }
            seen: set[str] = set()
            self._terms(reference_list, vocabulary.terms, None, terms, seen)
            for code in sorted(set(terms) - seen):
                self.report.unknown.append(f"term {vocabulary.code}:{code}")

    def _terms(
        self,
        reference_list: models.Model,
        entries: Iterable[vocabulary_data.Entry],
        parent: models.Model | None,
        existing: Mapping[str, models.Model],
        seen: set[str],
    ) -> None:
        list_code = reference_list.code  # type: ignore[attr-defined]
        for position, entry in enumerate(entries, start=1):
            seen.add(entry.code)
            term = self._upsert(
                self.Term,
                existing.get(entry.code),
                {"reference_list": reference_list, "code": entry.code},
                {
                    **_labels("label", entry),
                    "position": position,
                    "parent": parent,
                    "since_version": entry.since_version,
                    "retired_in_version": entry.retired_in_version,
                },
                f"term {list_code}:{entry.code}",
            )
            self._terms(reference_list, entry.children, term, existing, seen)

    def situations(self, situations: Iterable[situation_data.SituationData]) -> None:
        existing = {row.code: row for row in self.Situation.objects.all()}
        seen = set()
        for position, situation in enumerate(situations, start=1):
            seen.add(situation.code)
            self._upsert(
                self.Situation,
                existing.get(situation.code),
                {"code": situation.code},
                {
                    **_labels("name", situation),
                    "status": situation.status,
                    "status_date": situation.status_date,
                    "countries": list(situation.countries),
                    "position": position,
                    "as_of": situation.as_of,
                    "note": situation.note,
                },
                f"situation {situation.code}",
            )
        self.report.unknown.extend(f"situation {code}" for code in sorted(set(existing) - seen))

    def states_parties(self, parties: Iterable[party_data.PartyData]) -> None:
        existing = {str(row.country): row for row in self.StateParty.objects.all()}
        seen = set()
        for party in parties:
            seen.add(party.country)
            self._upsert(
                self.StateParty,
                existing.get(party.country),
                {"country": party.country},
                {
                    "instrument_deposited": party.instrument_deposited,
                    "entry_into_force": party.entry_into_force,
                    "withdrawal_notified": party.withdrawal_notified,
                    "withdrawal_effective": party.withdrawal_effective,
                    "note": party.note,
                    "as_of": party.as_of,
                },
                f"State Party {party.country}",
            )
        self.report.unknown.extend(f"State Party {code}" for code in sorted(set(existing) - seen))

    def _upsert(
        self,
        model: type[models.Model],
        row: models.Model | None,
        key: dict[str, Any],
        values: dict[str, Any],
        name: str,
    ) -> models.Model:
        # Under a migration the historical model may lack fields added later:
        # set only the fields it has, so this old migration keeps working.
        names = {f.name for f in model._meta.get_fields()}
        values = {k: v for k, v in values.items() if k in names}
        if row is None:
            row = model._default_manager.create(**key, **values)
            self.report.created.append(name)
            return row
        if getattr(row, "locally_edited", False) and not self.overwrite:
            self.report.kept.append(name)
            return row
        changed = [k for k, v in values.items() if _current(row, k) != _comparable(v)]
        if getattr(row, "locally_edited", False):
            row.locally_edited = False  # type: ignore[attr-defined]
            changed.append("locally_edited")
        if changed:
            for k in changed:
                if k != "locally_edited":
                    setattr(row, k, values[k])
            row.save(update_fields=changed)
            self.report.updated.append(name)
        return row


def _labels(prefix: str, data: Any) -> dict[str, str]:
    return {f"{prefix}_{lang}": getattr(data, lang) for lang in ("en", "fr", "es", "ar")}


def _current(row: models.Model, name: str) -> object:
    field_ = row._meta.get_field(name)
    attname = field_.attname if isinstance(field_, models.Field) else name
    return _comparable(getattr(row, attname))


def _comparable(value: object) -> object:
    if isinstance(value, models.Model):
        return value.pk
    # A CountryField holds a Country object: compare its code.
    return getattr(value, "code", value)
