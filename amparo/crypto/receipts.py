"""Reporter receipts: the one secret a reporter keeps to come back to their report.

28 random digits (93 bits) shown as 7 groups of 4. Digits can be written down and read
back in English, French, Spanish and Arabic alike, and typed on any phone keypad.
"""

import math
import secrets
from dataclasses import dataclass, field

from ._text import MAX_INPUT_LENGTH, significant_characters
from .errors import InvalidReceipt
from .kdf import KdfParams, current_params, stretch, subkey

RECEIPT_DIGITS = 28
RECEIPT_GROUP = 4
RECEIPT_ENTROPY_BITS = RECEIPT_DIGITS * math.log2(10)  # 93.0

# Subkey contexts: the two values derived from one stretch must never coincide.
_LOOKUP_CONTEXT = "receipt-lookup-id"
_WRAPPING_CONTEXT = "receipt-wrapping-key"


@dataclass(frozen=True)
class ReceiptSecrets:
    """Derived from one receipt: lookup_id is stored (hex) to find the report,
    wrapping_key unwraps the reporter's private key and is never stored."""

    lookup_id: str
    wrapping_key: bytes = field(repr=False)


def generate_receipt() -> str:
    """A new random receipt in its written form, e.g. "0123 4567 ... 7890"."""
    number = secrets.randbelow(10**RECEIPT_DIGITS)
    return format_receipt(f"{number:0{RECEIPT_DIGITS}d}")


def normalize_receipt(text: str) -> str:
    """The 28 ASCII digits of a typed receipt.

    Accepts any Unicode decimal digits (Arabic-Indic, Persian, full-width...), ignores
    spaces, dashes, other group separators and bidi marks; raises InvalidReceipt otherwise.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise InvalidReceipt("not a receipt")
    digits = []
    for char in significant_characters(text):
        if not ("0" <= char <= "9"):
            raise InvalidReceipt("receipt contains a character that is not allowed")
        digits.append(char)
    if len(digits) != RECEIPT_DIGITS:
        raise InvalidReceipt("receipt must have 28 digits")
    return "".join(digits)


def format_receipt(normalized: str) -> str:
    """The written form: 7 groups of 4 ASCII digits separated by spaces.

    Display it in a left-to-right isolate (e.g. <bdi dir="ltr">) on Arabic pages, so the
    groups keep their order.
    """
    digits = normalize_receipt(normalized)
    return " ".join(digits[i : i + RECEIPT_GROUP] for i in range(0, RECEIPT_DIGITS, RECEIPT_GROUP))


def derive_receipt_secrets(
    receipt: str, *, salt: bytes, params: KdfParams | None = None
) -> ReceiptSecrets:
    """Stretch the receipt once with Argon2id under the installation-wide salt, then split
    the result with two BLAKE2b subkeys: lookup id and wrapping key.

    Deterministic by design (the lookup id is how the report is found), so the salt is
    per installation, not per receipt. Raises InvalidReceipt on a malformed receipt.
    """
    stretched = stretch(
        normalize_receipt(receipt).encode("ascii"), salt, params or current_params("receipt")
    )
    # Two PRF outputs of the same stretched secret under different contexts: the stored
    # lookup id says nothing about the wrapping key, and neither reveals the receipt.
    return ReceiptSecrets(
        lookup_id=subkey(stretched, _LOOKUP_CONTEXT).hex(),
        wrapping_key=subkey(stretched, _WRAPPING_CONTEXT),
    )
