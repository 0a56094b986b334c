import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.crypto import (
    INSECURE_TEST_PARAMS,
    RECEIPT_ENTROPY_BITS,
    DecryptionError,
    InvalidReceipt,
    derive_receipt_secrets,
    format_receipt,
    generate_keypair,
    generate_receipt,
    normalize_receipt,
    unwrap_with_key,
    wrap_with_key,
)

SALT = b"installation-slt"
RECEIPT = "0123 4567 8901 2345 6789 0123 4567"
DIGITS = "0123456789012345678901234567"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
FULL_WIDTH = "".join(chr(0xFF10 + digit) for digit in range(10))


def transliterate(text: str, digits: str) -> str:
    return text.translate(str.maketrans("0123456789", digits))


def derive(receipt: str, salt: bytes = SALT) -> tuple[str, bytes]:
    secrets = derive_receipt_secrets(receipt, salt=salt, params=INSECURE_TEST_PARAMS)
    return secrets.lookup_id, secrets.wrapping_key


def test_it_generates_receipts_with_at_least_80_bits() -> None:
    receipt = generate_receipt()
    assert re.fullmatch(r"\d{4}( \d{4}){6}", receipt)
    digits = receipt.replace(" ", "")
    # Every digit is drawn uniformly and independently from 10 (secrets.randbelow).
    assert len(digits) * math.log2(10) >= 80
    assert pytest.approx(len(digits) * math.log2(10)) == RECEIPT_ENTROPY_BITS
    assert len({generate_receipt() for _ in range(200)}) == 200


def test_it_uses_every_digit_in_every_position() -> None:
    receipts = [generate_receipt().replace(" ", "") for _ in range(300)]
    for position in range(28):
        assert len({receipt[position] for receipt in receipts}) == 10


@pytest.mark.parametrize(
    "typed",
    [
        RECEIPT,
        DIGITS,
        "0123-4567-8901-2345-6789-0123-4567",
        "  0123 4567\t8901\n2345 6789 0123 4567  ",
        "0123\u00a04567\u202f8901\u20092345\u20136789\u20140123\u22124567",
        "0123.4567.8901.2345.6789.0123.4567",
        transliterate(RECEIPT, ARABIC_INDIC),
        transliterate(RECEIPT, PERSIAN),
        transliterate(RECEIPT, FULL_WIDTH),
        transliterate("0123 4567 8901", ARABIC_INDIC)
        + " 2345 "
        + transliterate("6789 0123 4567", PERSIAN),
        "\u200f" + transliterate(RECEIPT, ARABIC_INDIC) + "\u200e",
        "\u2066" + RECEIPT + "\u2069",
        "\u061c0123\u200b4567\ufeff8901 2345 6789 0123 4567",
        transliterate(RECEIPT, ARABIC_INDIC).replace(" ", "\u066c"),
    ],
)
def test_it_normalises_receipts_as_people_type_them(typed: str) -> None:
    assert normalize_receipt(typed) == DIGITS
    assert format_receipt(typed) == RECEIPT


@settings(max_examples=100, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=28, max_size=28),
    scripts=st.lists(
        st.sampled_from(["0123456789", ARABIC_INDIC, PERSIAN, FULL_WIDTH]), min_size=28, max_size=28
    ),
    separators=st.lists(
        st.sampled_from(["", " ", "-", "\u00a0", "\u200f", "\u2013", "  "]),
        min_size=28,
        max_size=28,
    ),
)
def test_it_normalises_any_mix_of_scripts_and_separators(
    digits: str, scripts: list[str], separators: list[str]
) -> None:
    typed = "".join(
        separator + script[int(digit)]
        for digit, script, separator in zip(digits, scripts, separators, strict=True)
    )
    assert normalize_receipt(typed) == digits


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0123 4567 8901 2345 6789 0123 456",
        "0123 4567 8901 2345 6789 0123 4567 8",
        "0123 4567 8901 2345 6789 0123 456O",  # letter O
        "0123 4567 8901 2345 6789 0123 456l",
        "0123 4567 8901 2345 6789 0123 456²",  # superscript is not a decimal digit
        "0123 4567 8901 2345 6789 0123 456+",
        "0123 4567 8901 2345 6789 0123 4567 " + "\u200f" * 300,
        "١٢٣",
    ],
)
def test_it_rejects_malformed_receipts(typed: str) -> None:
    with pytest.raises(InvalidReceipt):
        normalize_receipt(typed)
    with pytest.raises(InvalidReceipt):
        derive_receipt_secrets(typed, salt=SALT, params=INSECURE_TEST_PARAMS)


def test_it_says_nothing_about_the_receipt_in_errors() -> None:
    with pytest.raises(InvalidReceipt) as caught:
        normalize_receipt("9876 5432 1098 7654 3210 9876 543x")
    assert "9876" not in str(caught.value)


def test_it_derives_the_same_secrets_from_every_typing() -> None:
    expected = derive(RECEIPT)
    assert derive(DIGITS) == expected
    assert derive(transliterate(RECEIPT, PERSIAN)) == expected


def test_it_derives_different_secrets_for_different_receipts_and_salts() -> None:
    lookup, key = derive(RECEIPT)
    other_lookup, other_key = derive("0123 4567 8901 2345 6789 0123 4568")
    assert lookup != other_lookup
    assert key != other_key
    assert derive(RECEIPT, salt=b"another-salt-16b") != (lookup, key)


def test_it_keeps_the_lookup_id_apart_from_the_wrapping_key() -> None:
    lookup_id, wrapping_key = derive(RECEIPT)
    assert re.fullmatch(r"[0-9a-f]{64}", lookup_id)
    assert len(wrapping_key) == 32
    assert bytes.fromhex(lookup_id) != wrapping_key
    assert wrapping_key.hex() not in repr(
        derive_receipt_secrets(RECEIPT, salt=SALT, params=INSECURE_TEST_PARAMS)
    )


def test_it_cannot_unwrap_with_the_lookup_id() -> None:
    lookup_id, wrapping_key = derive(RECEIPT)
    reporter = generate_keypair()
    blob = wrap_with_key(reporter.private, wrapping_key, context="reporter-private-key")
    assert unwrap_with_key(blob, wrapping_key, context="reporter-private-key") == reporter.private
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, bytes.fromhex(lookup_id), context="reporter-private-key")


def test_it_requires_a_16_byte_installation_salt() -> None:
    with pytest.raises(ValueError):
        derive_receipt_secrets(RECEIPT, salt=b"short", params=INSECURE_TEST_PARAMS)
