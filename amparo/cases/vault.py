"""Opening a case's data key, for staff (through their key pair) and for the
reporter (through the receipt). Nothing here touches the database except
to read the sealed keys; nothing is cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from amparo.cases.models import Case, CaseKey
from amparo.crypto import (
    DecryptionError,
    current_receipt_set,
    decrypt_json,
    decrypt_text,
    derive_receipt_secrets,
    encrypt_json,
    encrypt_text,
    open_data_key,
    receipt_params,
    unwrap_with_key,
)
from amparo.crypto.kdf import RECEIPT_PARAM_SETS
from amparo.lib.binary import as_bytes

# One installation-wide salt for receipt stretching. It has to be fixed
# because the lookup must be recomputable from the receipt alone; with 93
# random bits per receipt, precomputation is out of reach without a per-row salt.
RECEIPT_SALT = b"amparo-receipt1\0"


class NoAccess(Exception):
    """This person (or this receipt) holds no key to the case."""


@dataclass
class OpenCase:
    """A case together with its data key, for the length of one request."""

    case: Case
    data_key: bytes = field(repr=False)

    def decrypt_text(self, ciphertext: bytes, field: str) -> str:
        return decrypt_text(
            self.data_key, bytes(ciphertext), report_id=self.case.public_id, field=field
        )

    def encrypt_text(self, text: str, field: str) -> bytes:
        return encrypt_text(self.data_key, text, report_id=self.case.public_id, field=field)

    def decrypt_json(self, ciphertext: bytes, field: str) -> Any:
        return decrypt_json(
            self.data_key, bytes(ciphertext), report_id=self.case.public_id, field=field
        )

    def encrypt_json(self, value: Any, field: str) -> bytes:
        return encrypt_json(self.data_key, value, report_id=self.case.public_id, field=field)

    def answers(self) -> Any:
        return self.decrypt_json(self.case.answers, "answers")


def reporter_context(case: Case) -> str:
    return f"reporter-private-key:{case.public_id}"


def open_for_staff(case: Case, user: Any, private_key: bytes) -> OpenCase:
    sealed = (
        CaseKey.objects.filter(case=case, user=user).values_list("sealed_key", flat=True).first()
    )
    if sealed is None:
        raise NoAccess
    try:
        data_key = open_data_key(bytes(sealed), as_bytes(user.public_key), private_key)
    except DecryptionError:
        raise NoAccess from None
    return OpenCase(case=case, data_key=data_key)


@dataclass
class ReporterAccess:
    opened: OpenCase
    reporter_private_key: bytes = field(repr=False)
    # The receipt parameter set the report was found under (older than the current
    # one: do_upgrade_receipt re-derives it).
    receipt_set: int = 0


@dataclass(frozen=True)
class ReceiptKeys:
    """What one receipt gives under one parameter set: the stored lookup id and the
    key that unwraps the reporter's private key (never stored)."""

    params_set: int
    lookup_id: str
    wrapping_key: bytes = field(repr=False)


def receipt_keys(receipt: str, params_set: int) -> ReceiptKeys:
    """Stretch ``receipt`` under one parameter set (costly: callers cap how many run).

    Raises InvalidReceipt for a malformed receipt.
    """
    derived = derive_receipt_secrets(receipt, salt=RECEIPT_SALT, params=receipt_params(params_set))
    return ReceiptKeys(params_set, derived.lookup_id, derived.wrapping_key)


def lookup_for_receipt(receipt: str) -> tuple[str, bytes]:
    """The lookup value and the wrapping key for a typed receipt under the current
    parameter set (what a new report stores).

    Raises InvalidReceipt for a malformed one. This is the costly Argon2id
    step: callers cap how many run at once.
    """
    keys = receipt_keys(receipt, current_receipt_set())
    return keys.lookup_id, keys.wrapping_key


def receipt_sets_in_use() -> list[int]:
    """The current receipt parameter set, then every older set that some report with a
    receipt still uses, newest first. A follow-up stretches under all of them, found or
    not, so that its timing does not say which set (if any) the receipt belongs to."""
    current = current_receipt_set()
    older = [
        set_id
        for set_id in sorted(RECEIPT_PARAM_SETS, reverse=True)
        if set_id != current
        and Case.objects.filter(receipt_params=set_id, reporter_lookup__isnull=False).exists()
    ]
    return [current, *older]


def receipt_keys_in_use(receipt: str) -> list[ReceiptKeys]:
    """``receipt`` stretched under every parameter set in use, the current one first."""
    return [receipt_keys(receipt, set_id) for set_id in receipt_sets_in_use()]


def open_for_reporter_by_keys(candidates: Sequence[ReceiptKeys]) -> ReporterAccess:
    """The report one of ``candidates`` opens (one query for all of them), or NoAccess.

    A lookup id found under a set other than the one the report records is refused.
    """
    by_lookup = {keys.lookup_id: keys for keys in candidates}
    case = Case.objects.filter(reporter_lookup__in=list(by_lookup)).first()
    if case is None or case.reporter_private_key is None or case.reporter_lookup is None:
        raise NoAccess
    keys = by_lookup[case.reporter_lookup]
    if keys.params_set != case.receipt_params:
        raise NoAccess
    try:
        private = unwrap_with_key(
            as_bytes(case.reporter_private_key), keys.wrapping_key, context=reporter_context(case)
        )
        data_key = open_data_key(
            as_bytes(case.reporter_sealed_key), as_bytes(case.reporter_public_key), private
        )
    except DecryptionError:
        raise NoAccess from None
    return ReporterAccess(
        opened=OpenCase(case=case, data_key=data_key),
        reporter_private_key=private,
        receipt_set=keys.params_set,
    )


def open_for_reporter(lookup_id: str, wrapping_key: bytes) -> ReporterAccess:
    """The report a current-set lookup id opens (see open_for_reporter_by_keys)."""
    return open_for_reporter_by_keys([ReceiptKeys(current_receipt_set(), lookup_id, wrapping_key)])
