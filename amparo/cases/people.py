"""What the accounts app's People pages and two-person rules ask of cases.

accounts sits below cases: it declares its questions in amparo/accounts/hooks.py
and CasesConfig.ready answers them with ``provide()``.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from amparo.accounts import hooks
from amparo.accounts.hooks import CaseCounts
from amparo.accounts.models import User
from amparo.cases import search_index
from amparo.cases.access import cases_only_held_by, desk_cases, live_keys
from amparo.cases.actions.keys import do_destroy_key_copies, do_share_all_cases
from amparo.cases.models import Case, CaseKey


def references_only_held_by(person: User) -> list[str]:
    return list(cases_only_held_by(person).values_list("reference", flat=True))


def unassign_cases(person: User) -> int:
    # The caller (removal, or the handler role taken away) audits the count.
    return Case.objects.filter(assignee=person).update(assignee=None)


def holds_key_copies(person: User) -> bool:
    return CaseKey.objects.filter(user=person).exists()


def _per_user(keys: QuerySet[CaseKey]) -> dict[int, int]:
    return dict(keys.values_list("user").annotate(n=Count("id")).values_list("user", "n"))


def case_counts() -> CaseCounts:
    return CaseCounts(
        can_open=_per_user(live_keys()),
        copies=_per_user(CaseKey.objects.all()),
        # Not the shells kept for statistics: nobody can open those.
        total=desk_cases().count(),
    )


def provide() -> None:
    hooks.cases_only_held_by.provide(references_only_held_by)
    hooks.unassign_cases.provide(unassign_cases)
    hooks.holds_key_copies.provide(holds_key_copies)
    hooks.destroy_key_copies.provide(do_destroy_key_copies)
    hooks.share_all_cases.provide(do_share_all_cases)
    hooks.case_counts.provide(case_counts)
    hooks.signed_in.provide(search_index.on_sign_in)
    hooks.key_roles_changed.provide(search_index.revoke_key)
