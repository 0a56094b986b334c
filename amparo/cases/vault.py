"""Opening a case's data key, for staff (through their key pair) and for the
reporter (through the receipt). Nothing here touches the database except
to read the sealed keys; nothing is cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amparo.cases.models import Case, CaseKey
from amparo.crypto import (
    DecryptionError,
    decrypt_json,
    decrypt_text,
    derive_receipt_secrets,
    encrypt_json,
    encrypt_text,
    open_data_key,
    unwrap_with_key,
)
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


def lookup_for_receipt(receipt: str) -> tuple[str, bytes]:
    """The stored lookup value and the wrapping key for a typed receipt.

    Raises InvalidReceipt for a malformed one. This is the costly Argon2id
    step: callers cap how many run at once.
    """
    secrets = derive_receipt_secrets(receipt, salt=RECEIPT_SALT)
    return secrets.lookup_id, secrets.wrapping_key


def open_for_reporter(lookup_id: str, wrapping_key: bytes) -> ReporterAccess:
    case = Case.objects.filter(reporter_lookup=lookup_id).first()
    if case is None or case.reporter_private_key is None:
        raise NoAccess
    try:
        private = unwrap_with_key(
            as_bytes(case.reporter_private_key), wrapping_key, context=reporter_context(case)
        )
        data_key = open_data_key(
            as_bytes(case.reporter_sealed_key), as_bytes(case.reporter_public_key), private
        )
    except DecryptionError:
        raise NoAccess from None
    return ReporterAccess(
        opened=OpenCase(case=case, data_key=data_key), reporter_private_key=private
    )
