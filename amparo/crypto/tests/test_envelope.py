import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from amparo.crypto import (
    DecryptionError,
    decrypt_field,
    decrypt_json,
    decrypt_text,
    encrypt_field,
    encrypt_json,
    encrypt_text,
    generate_keypair,
    new_data_key,
    open_data_key,
    open_sealed_bytes,
    seal_bytes,
    seal_data_key,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ids = st.text(min_size=1, max_size=20)


def flip(blob: bytes, index: int, bit: int = 0) -> bytes:
    changed = bytearray(blob)
    changed[index % len(blob)] ^= 1 << bit
    return bytes(changed)


def test_it_matches_the_xchacha20poly1305_draft_vector() -> None:
    # draft-irtf-cfrg-xchacha-03, appendix A.3.1 (also libsodium's test vector).
    key = bytes(range(0x80, 0xA0))
    nonce = bytes(range(0x40, 0x58))
    ad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    plaintext = (
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
        b"for the future, sunscreen would be it."
    )
    expected = bytes.fromhex(
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
        "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
        "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
        "21f9664c97637da9768812f615c68b13b52e"
        "c0875924c1c7987947deafd8780acf49"
    )
    assert bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key) == (
        expected
    )
    assert bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(expected, ad, nonce, key) == (
        plaintext
    )


def test_it_makes_random_32_byte_data_keys() -> None:
    keys = {new_data_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) == 32 for key in keys)


@settings(max_examples=100, deadline=None)
@given(plaintext=st.binary(max_size=3000), report_id=ids, field=ids)
def test_it_round_trips_fields(plaintext: bytes, report_id: str, field: str) -> None:
    ciphertext = encrypt_field(KEY, plaintext, report_id=report_id, field=field)
    assert decrypt_field(KEY, ciphertext, report_id=report_id, field=field) == plaintext


def test_it_round_trips_text_and_json() -> None:
    text = "Défenseuse — مدافعة عن حقوق الإنسان"
    ciphertext = encrypt_text(KEY, text, report_id="r1", field="name")
    assert decrypt_text(KEY, ciphertext, report_id="r1", field="name") == text
    answers = {"narrative": text, "urgent": True, "types": ["arrest", "threat"], "n": 3}
    ciphertext = encrypt_json(KEY, answers, report_id="r1", field="answers")
    assert decrypt_json(KEY, ciphertext, report_id="r1", field="answers") == answers


def test_it_refuses_non_json_values() -> None:
    with pytest.raises(ValueError):
        encrypt_json(KEY, float("nan"), report_id="r1", field="answers")
    ciphertext = encrypt_text(KEY, "not json", report_id="r1", field="answers")
    with pytest.raises(DecryptionError):
        decrypt_json(KEY, ciphertext, report_id="r1", field="answers")


def test_it_uses_a_fresh_nonce_every_time() -> None:
    first = encrypt_field(KEY, b"same", report_id="r1", field="f")
    second = encrypt_field(KEY, b"same", report_id="r1", field="f")
    assert first != second


@settings(max_examples=200, deadline=None)
@given(plaintext=st.binary(max_size=300), index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_any_flipped_bit(plaintext: bytes, index: int, bit: int) -> None:
    ciphertext = encrypt_field(KEY, plaintext, report_id="r1", field="f")
    with pytest.raises(DecryptionError):
        decrypt_field(KEY, flip(ciphertext, index, bit), report_id="r1", field="f")


@settings(max_examples=100, deadline=None)
@given(report_ids=st.lists(ids, min_size=2, max_size=2, unique=True), field=ids)
def test_it_rejects_a_ciphertext_moved_to_another_report(report_ids: list[str], field: str) -> None:
    ciphertext = encrypt_field(KEY, b"secret", report_id=report_ids[0], field=field)
    with pytest.raises(DecryptionError):
        decrypt_field(KEY, ciphertext, report_id=report_ids[1], field=field)


@settings(max_examples=100, deadline=None)
@given(report_id=ids, fields=st.lists(ids, min_size=2, max_size=2, unique=True))
def test_it_rejects_a_ciphertext_moved_to_another_field(report_id: str, fields: list[str]) -> None:
    ciphertext = encrypt_field(KEY, b"secret", report_id=report_id, field=fields[0])
    with pytest.raises(DecryptionError):
        decrypt_field(KEY, ciphertext, report_id=report_id, field=fields[1])


def test_it_keeps_report_id_and_field_apart() -> None:
    # Length-prefixed associated data: moving a character across the boundary fails.
    ciphertext = encrypt_field(KEY, b"secret", report_id="ab", field="c")
    with pytest.raises(DecryptionError):
        decrypt_field(KEY, ciphertext, report_id="a", field="bc")


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=300), wrong_key=st.binary(min_size=32, max_size=32))
def test_it_rejects_a_wrong_key(plaintext: bytes, wrong_key: bytes) -> None:
    ciphertext = encrypt_field(KEY, plaintext, report_id="r1", field="f")
    if wrong_key != KEY:
        with pytest.raises(DecryptionError):
            decrypt_field(wrong_key, ciphertext, report_id="r1", field="f")


def test_it_rejects_truncated_extended_and_malformed_ciphertexts() -> None:
    ciphertext = encrypt_field(KEY, b"secret", report_id="r1", field="f")
    for bad in (
        b"",
        ciphertext[:1],
        ciphertext[:-1],
        ciphertext + b"\x00",
        b"\x02" + ciphertext[1:],
    ):
        with pytest.raises(DecryptionError):
            decrypt_field(KEY, bad, report_id="r1", field="f")
    for bad_key in (b"", KEY[:31], KEY + b"\x00"):
        with pytest.raises(DecryptionError):
            decrypt_field(bad_key, ciphertext, report_id="r1", field="f")


def test_it_accepts_buffers_from_database_drivers() -> None:
    ciphertext = encrypt_field(KEY, b"secret", report_id="r1", field="f")
    assert decrypt_field(KEY, memoryview(ciphertext), report_id="r1", field="f") == b"secret"
    assert decrypt_field(KEY, bytearray(ciphertext), report_id="r1", field="f") == b"secret"


def test_it_hides_the_length_of_short_values() -> None:
    sizes = {len(encrypt_text(KEY, "x" * n, report_id="r1", field="name")) for n in range(64)}
    assert len(sizes) == 1


def test_it_blurs_the_length_of_long_values() -> None:
    sizes = {len(encrypt_field(KEY, b"x" * n, report_id="r1", field="f")) for n in range(2000)}
    # Padmé keeps about 4 significant bits of the length: 2000 lengths, few sizes.
    assert len(sizes) <= 80
    for n in (100, 1000, 1999):
        overhead = len(encrypt_field(KEY, b"x" * n, report_id="r1", field="f")) - n
        assert overhead <= 0.12 * n + 1 + 41 + 64


def test_it_says_nothing_about_the_secret_in_errors() -> None:
    ciphertext = encrypt_text(KEY, "Maria Lopez", report_id="r1", field="name")
    with pytest.raises(DecryptionError) as caught:
        decrypt_text(OTHER_KEY, ciphertext, report_id="r1", field="name")
    assert str(caught.value) == "decryption failed"
    assert caught.value.__cause__ is None


def test_it_seals_a_data_key_to_one_recipient() -> None:
    handler, stranger = generate_keypair(), generate_keypair()
    data_key = new_data_key()
    sealed = seal_data_key(data_key, handler.public)
    assert open_data_key(sealed, handler.public, handler.private) == data_key
    with pytest.raises(DecryptionError):
        open_data_key(sealed, stranger.public, stranger.private)
    with pytest.raises(DecryptionError):
        open_data_key(sealed, stranger.public, handler.private)


@settings(max_examples=100, deadline=None)
@given(index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_a_tampered_sealed_key(index: int, bit: int) -> None:
    recipient = generate_keypair()
    sealed = seal_data_key(new_data_key(), recipient.public)
    with pytest.raises(DecryptionError):
        open_data_key(flip(sealed, index, bit), recipient.public, recipient.private)


def test_it_rejects_malformed_sealed_keys_and_key_pairs() -> None:
    recipient = generate_keypair()
    sealed = seal_data_key(new_data_key(), recipient.public)
    for bad in (b"", sealed[:1], sealed[:-1], sealed + b"\x00"):
        with pytest.raises(DecryptionError):
            open_data_key(bad, recipient.public, recipient.private)
    with pytest.raises(DecryptionError):
        open_data_key(sealed, recipient.public, recipient.private[:31])
    with pytest.raises(ValueError):
        seal_data_key(b"short", recipient.public)


def test_it_does_not_confuse_a_field_with_a_sealed_key() -> None:
    recipient = generate_keypair()
    ciphertext = encrypt_field(KEY, KEY, report_id="r1", field="f")
    sealed = seal_data_key(KEY, recipient.public)
    with pytest.raises(DecryptionError):
        open_data_key(ciphertext, recipient.public, recipient.private)
    with pytest.raises(DecryptionError):
        decrypt_field(KEY, sealed, report_id="r1", field="f")


def test_it_serialises_json_deterministically() -> None:
    ciphertext = encrypt_json(KEY, {"b": 1, "a": "é"}, report_id="r1", field="f")
    text = decrypt_text(KEY, ciphertext, report_id="r1", field="f")
    assert text == json.dumps({"a": "é", "b": 1}, ensure_ascii=False, separators=(",", ":"))


def test_it_seals_bytes_that_only_the_recipient_opens() -> None:
    index, stranger = generate_keypair(), generate_keypair()
    sealed = seal_bytes(b"pending entry", index.public)
    assert open_sealed_bytes(sealed, index.public, index.private) == b"pending entry"
    assert open_sealed_bytes(bytearray(sealed), index.public, index.private) == b"pending entry"
    assert b"pending" not in sealed
    for public, private in ((stranger.public, stranger.private), (stranger.public, index.private)):
        with pytest.raises(DecryptionError):
            open_sealed_bytes(sealed, public, private)


def test_it_pads_sealed_bytes_like_fields() -> None:
    recipient = generate_keypair()
    short = {len(seal_bytes(b"x" * n, recipient.public)) for n in (0, 1, 40)}
    assert len(short) == 1


@settings(max_examples=50, deadline=None)
@given(index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_tampered_sealed_bytes(index: int, bit: int) -> None:
    recipient = generate_keypair()
    sealed = seal_bytes(b"entry", recipient.public)
    with pytest.raises(DecryptionError):
        open_sealed_bytes(flip(sealed, index, bit), recipient.public, recipient.private)


def test_it_rejects_malformed_sealed_bytes_and_key_pairs() -> None:
    recipient = generate_keypair()
    sealed = seal_bytes(b"entry", recipient.public)
    for bad in (b"", sealed[:1], sealed[:-1], seal_data_key(KEY, recipient.public)):
        with pytest.raises(DecryptionError):
            open_sealed_bytes(bad, recipient.public, recipient.private)
    with pytest.raises(DecryptionError):
        open_sealed_bytes(sealed, recipient.public, recipient.private[:31])
