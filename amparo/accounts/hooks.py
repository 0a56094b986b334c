"""What the accounts app asks of the cases app (see amparo.core.hooks).

Removing someone from the desk, or a key role from them, must never leave a
case that nobody can open (amparo.accounts.two_person); what becomes of the
person's assignments and copies of case keys is the cases app's to do. cases
sits above accounts, so accounts asks through these hooks, and cases provides
them when it starts (amparo/cases/people.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from amparo.accounts.models import User
from amparo.core.hooks import Hook


@dataclass(frozen=True)
class CaseCounts:
    """The People page's figures, by user id: cases each person can open
    today, copies of case keys each holds (live or not), and all cases."""

    can_open: dict[int, int]
    copies: dict[int, int]
    total: int


# References of the cases that nobody but this person can open today.
cases_only_held_by: Hook[[User], list[str]] = Hook("cases_only_held_by", provided_by="cases")
# Return the person's assigned cases to the inbox, inside the caller's (audited)
# transaction; how many there were.
unassign_cases: Hook[[User], int] = Hook("unassign_cases", provided_by="cases")
# Whether the person holds any copy of a case key, live or not.
holds_key_copies: Hook[[User], bool] = Hook("holds_key_copies", provided_by="cases")
# (actor, removed person) -> (destroyed, kept): destroy the copies others can
# also open, keep the last ones; inside the caller's transaction, desk locked.
destroy_key_copies: Hook[[User, User], tuple[int, int]] = Hook(
    "destroy_key_copies", provided_by="cases"
)
# (granter, granter's private key, coordinator) -> how many cases were sealed to
# the coordinator: every case the granter holds and the coordinator lacks.
share_all_cases: Hook[[User, bytes, User], int] = Hook("share_all_cases", provided_by="cases")
case_counts: Hook[[], CaseCounts] = Hook("case_counts", provided_by="cases")
# (person, private key) at sign-in: the coordinators' search index merges what
# arrived while nobody was signed in (amparo.cases.search_index).
signed_in: Hook[[User, bytes], None] = Hook("signed_in", provided_by="cases")
# (actor, person) after a confirmed change: destroy the person's copy of the
# search index key unless they are still an active coordinator.
key_roles_changed: Hook[[User | None, User], bool] = Hook("key_roles_changed", provided_by="cases")
# (actor, person) after a removal or a confirmed change: destroy, audited, the
# person's shares of the desk's referral signing key unless they are still an
# active coordinator; inside the caller's transaction; how many went.
signing_shares_revoked: Hook[[User | None, User], int] = Hook(
    "signing_shares_revoked", provided_by="referrals"
)
# Whether the person holds the only share of the active referral signing key
# that an active coordinator could open: once they are removed, or lose the
# coordinator role, nobody can approve a referral until a coordinator makes a
# new key. Asked to warn before the change is asked for and confirmed.
holds_only_signing_share: Hook[[User], bool] = Hook(
    "holds_only_signing_share", provided_by="referrals"
)
