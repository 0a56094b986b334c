import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from amparo.crypto import (
    INSECURE_TEST_PARAMS,
    DecryptionError,
    InvalidRecoveryKey,
    KdfParams,
    derive_public_key,
    format_recovery_key,
    generate_keypair,
    generate_recovery_key,
    normalize_recovery_key,
    unwrap_with_key,
    unwrap_with_password,
    unwrap_with_recovery_key,
    wrap_with_key,
    wrap_with_password,
    wrap_with_recovery_key,
)
from amparo.crypto.keys import RECOVERY_ALPHABET

PRIVATE = bytes(range(32))
KEY = bytes(range(100, 132))
FIXED_RECOVERY_KEY = "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJ"


def flip(blob: bytes, index: int, bit: int = 0) -> bytes:
    changed = bytearray(blob)
    changed[index % len(blob)] ^= 1 << bit
    return bytes(changed)


def test_it_matches_the_rfc7748_x25519_vectors() -> None:
    # RFC 7748 section 6.1.
    alice = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    alice_public = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    bob = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    bob_public = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    shared = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    assert bindings.crypto_scalarmult_base(alice) == alice_public
    assert bindings.crypto_scalarmult_base(bob) == bob_public
    assert bindings.crypto_scalarmult(alice, bob_public) == shared
    assert bindings.crypto_scalarmult(bob, alice_public) == shared
    assert derive_public_key(alice) == alice_public


def test_it_generates_x25519_key_pairs() -> None:
    pair = generate_keypair()
    assert len(pair.public) == len(pair.private) == 32
    assert bindings.crypto_scalarmult_base(pair.private) == pair.public
    assert derive_public_key(pair.private) == pair.public
    assert derive_public_key(generate_keypair().private) != pair.public


def test_it_keeps_the_private_key_out_of_reprs() -> None:
    pair = generate_keypair()
    assert repr(pair.private) not in repr(pair)
    assert "private" not in repr(pair)


def test_it_round_trips_a_password_wrap() -> None:
    blob = wrap_with_password(PRIVATE, "correct horse battery staple", INSECURE_TEST_PARAMS)
    assert unwrap_with_password(blob, "correct horse battery staple") == PRIVATE


def test_it_rejects_a_wrong_password() -> None:
    blob = wrap_with_password(PRIVATE, "correct horse", INSECURE_TEST_PARAMS)
    for wrong in ("correct hors", "Correct horse", "correct horse ", "x"):
        with pytest.raises(DecryptionError):
            unwrap_with_password(blob, wrong)


def test_it_normalises_unicode_in_passwords() -> None:
    blob = wrap_with_password(PRIVATE, "caf\u00e9", INSECURE_TEST_PARAMS)
    assert unwrap_with_password(blob, "cafe\u0301") == PRIVATE


def test_it_records_the_params_in_the_password_blob() -> None:
    params = KdfParams(time_cost=2, memory_kib=16, parallelism=2)
    blob = wrap_with_password(PRIVATE, "pw", params)
    assert unwrap_with_password(blob, "pw") == PRIVATE
    assert wrap_with_password(PRIVATE, "pw", params) != blob  # fresh salt and nonce


# The memory field (bytes 5-8) is left to the dedicated test below: a flipped high bit
# there asks for hundreds of MiB, which is slow rather than wrong.
@settings(max_examples=150, deadline=None)
@given(
    index=st.integers(min_value=0).filter(lambda i: i % 106 not in range(5, 9)),
    bit=st.integers(0, 7),
)
def test_it_rejects_any_flipped_bit_in_a_password_blob(index: int, bit: int) -> None:
    blob = wrap_with_password(PRIVATE, "pw", INSECURE_TEST_PARAMS)
    assert len(blob) == 98  # header 26, nonce 24, key 32, tag 16
    with pytest.raises(DecryptionError):
        unwrap_with_password(flip(blob, index, bit), "pw")


def test_it_rejects_tampered_or_absurd_params() -> None:
    blob = wrap_with_password(PRIVATE, "pw", INSECURE_TEST_PARAMS)
    doubled_memory = blob[:5] + (16).to_bytes(4, "big") + blob[9:]
    with pytest.raises(DecryptionError):
        unwrap_with_password(doubled_memory, "pw")
    # Refused before any stretching: a tampered row cannot make us allocate 4 GiB.
    huge_memory = blob[:5] + (4 * 1024 * 1024).to_bytes(4, "big") + blob[9:]
    with pytest.raises(DecryptionError):
        unwrap_with_password(huge_memory, "pw")
    for bad in (b"", blob[:20], blob[:-1], b"\x11" + blob[1:]):
        with pytest.raises(DecryptionError):
            unwrap_with_password(bad, "pw")


def test_it_refuses_an_empty_password() -> None:
    with pytest.raises(ValueError):
        wrap_with_password(PRIVATE, "", INSECURE_TEST_PARAMS)


def test_it_generates_writable_recovery_keys_with_at_least_128_bits() -> None:
    key = generate_recovery_key()
    groups = key.split("-")
    assert [len(group) for group in groups] == [4] * 7
    symbols = "".join(groups)
    assert set(symbols) <= set(RECOVERY_ALPHABET)
    assert len(RECOVERY_ALPHABET) == 32
    assert len(symbols) * math.log2(len(RECOVERY_ALPHABET)) >= 128
    assert len({generate_recovery_key() for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "typed",
    [
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJ",
        "7k3m qz9x 04hb tvwe npra 2c5d 8fgj",
        "7K3MQZ9X04HBTVWENPRA2C5D8FGJ",
        " 7k3m\u2013qz9x\u00a004hb-tvwe-npra-2c5d-8fgj\n",
        "7K3M-QZ9X-O4HB-TVWE-NPRA-2C5D-8FGJ",  # letter O for zero
        "\uff17\uff2b\uff13\uff2d-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJ",  # full-width
        "\u0667K\u0663M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJ",  # Arabic-Indic 7 and 3
    ],
)
def test_it_normalises_typed_recovery_keys(typed: str) -> None:
    assert normalize_recovery_key(typed) == "7K3MQZ9X04HBTVWENPRA2C5D8FGJ"
    assert format_recovery_key(typed) == FIXED_RECOVERY_KEY


def test_it_reads_i_and_l_as_one() -> None:
    assert normalize_recovery_key("IL3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJ").startswith("113M")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FG",
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGJK",
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGU",
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FG!",
        "7K3M-QZ9X-04HB-TVWE-NPRA-2C5D-8FGÉ",
        "7" * 1000,
    ],
)
def test_it_rejects_malformed_recovery_keys(typed: str) -> None:
    with pytest.raises(InvalidRecoveryKey):
        normalize_recovery_key(typed)
    with pytest.raises(InvalidRecoveryKey):
        wrap_with_recovery_key(PRIVATE, typed)


def test_it_round_trips_a_recovery_wrap() -> None:
    recovery_key = generate_recovery_key()
    blob = wrap_with_recovery_key(PRIVATE, recovery_key)
    assert unwrap_with_recovery_key(blob, recovery_key.lower().replace("-", " ")) == PRIVATE
    with pytest.raises(DecryptionError):
        unwrap_with_recovery_key(blob, generate_recovery_key())
    with pytest.raises(InvalidRecoveryKey):
        unwrap_with_recovery_key(blob, "not a key")


@settings(max_examples=100, deadline=None)
@given(index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_any_flipped_bit_in_a_recovery_blob(index: int, bit: int) -> None:
    blob = wrap_with_recovery_key(PRIVATE, FIXED_RECOVERY_KEY)
    with pytest.raises(DecryptionError):
        unwrap_with_recovery_key(flip(blob, index, bit), FIXED_RECOVERY_KEY)


@settings(max_examples=100, deadline=None)
@given(secret=st.binary(max_size=200), context=st.text(min_size=1, max_size=30))
def test_it_round_trips_a_key_wrap(secret: bytes, context: str) -> None:
    blob = wrap_with_key(secret, KEY, context=context)
    assert unwrap_with_key(blob, KEY, context=context) == secret


def test_it_binds_a_key_wrap_to_its_key_and_context() -> None:
    blob = wrap_with_key(PRIVATE, KEY, context="session-private-key")
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, KEY, context="totp-secret")
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, bytes(32), context="session-private-key")
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, KEY[:16], context="session-private-key")
    with pytest.raises(ValueError):
        wrap_with_key(PRIVATE, KEY, context="")
    with pytest.raises(ValueError):
        wrap_with_key(PRIVATE, KEY[:16], context="session-private-key")


@settings(max_examples=100, deadline=None)
@given(index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_any_flipped_bit_in_a_key_wrap(index: int, bit: int) -> None:
    blob = wrap_with_key(PRIVATE, KEY, context="totp-secret")
    with pytest.raises(DecryptionError):
        unwrap_with_key(flip(blob, index, bit), KEY, context="totp-secret")


def test_it_does_not_accept_one_kind_of_wrap_for_another() -> None:
    recovery_blob = wrap_with_recovery_key(PRIVATE, FIXED_RECOVERY_KEY)
    key_blob = wrap_with_key(PRIVATE, KEY, context="c")
    password_blob = wrap_with_password(PRIVATE, "pw", INSECURE_TEST_PARAMS)
    with pytest.raises(DecryptionError):
        unwrap_with_key(recovery_blob, KEY, context="c")
    with pytest.raises(DecryptionError):
        unwrap_with_recovery_key(key_blob, FIXED_RECOVERY_KEY)
    with pytest.raises(DecryptionError):
        unwrap_with_password(key_blob, "pw")
    with pytest.raises(DecryptionError):
        unwrap_with_key(password_blob, KEY, context="c")
