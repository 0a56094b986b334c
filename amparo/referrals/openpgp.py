"""OpenPGP through Sequoia (pysequoia): checking partners' certificates,
the desk's signing key, and encrypting and signing packages.

Nothing here implements OpenPGP: parsing, encryption and signatures are
Sequoia's. This module only decides which certificates are acceptable and
says, for each refusal, why.
"""

from __future__ import annotations

import datetime
import re
import warnings
from dataclasses import dataclass

import pysequoia
from pysequoia.packet import PacketPile, PublicKeyAlgorithm, Tag

MIN_RSA_BITS = 2048
MAX_CERTIFICATE_BYTES = 256 * 1024
# Sequoia's enums compare but do not hash: plain tuples, not sets.
_RSA = (
    PublicKeyAlgorithm.RSAEncryptSign,
    PublicKeyAlgorithm.RSAEncrypt,
    PublicKeyAlgorithm.RSASign,
)
_KEY_TAGS = (Tag.PublicKey, Tag.PublicSubkey)
_SECRET_TAGS = (Tag.SecretKey, Tag.SecretSubkey)


class CertificateError(Exception):
    """A certificate that cannot be used; ``code`` names the reason for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedCertificate:
    armored: str
    fingerprint: str  # 40 (v4) or 64 (v6) upper-case hex digits
    expires: datetime.datetime | None
    user_ids: tuple[str, ...]


def format_fingerprint(fingerprint: str) -> str:
    """Groups of four, as OpenPGP tools print it, so it can be read aloud."""
    digits = normalise_fingerprint(fingerprint)
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def normalise_fingerprint(text: str) -> str:
    """Hex digits only, upper case: what a person typed back, compared fairly."""
    return re.sub(r"[^0-9A-Fa-f]", "", text).upper()


def clock() -> datetime.datetime:
    """Now, for expiry checks (a seam for tests that age a real key)."""
    return datetime.datetime.now(tz=datetime.UTC)


def _rsa_bits(body: bytes) -> int:
    # A v4 public key packet: version (1), creation time (4), algorithm (1),
    # then the modulus as an MPI whose first two bytes are its length in bits.
    if len(body) < 8 or body[0] != 4:
        return 0
    return int.from_bytes(body[6:8], "big")


def _parse(data: bytes) -> pysequoia.Cert:
    try:
        certs = pysequoia.Cert.split_bytes(data)
    except Exception:  # Sequoia's errors carry a backtrace: never show or log them
        raise CertificateError("unparseable") from None
    if not certs:
        raise CertificateError("unparseable")
    if len(certs) > 1:
        raise CertificateError("several")
    return certs[0]


def check_certificate(
    data: str | bytes, *, now: datetime.datetime | None = None
) -> CheckedCertificate:
    """Parse and check a partner's public certificate, or raise CertificateError.

    Codes: "unparseable", "several", "secret" (a private key was pasted),
    "rsa_too_short", "weak_algorithm", "revoked", "expired", "no_encryption".
    """
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if not raw.strip() or len(raw) > MAX_CERTIFICATE_BYTES:
        raise CertificateError("unparseable")
    cert = _parse(raw)
    try:
        packets = list(PacketPile.from_bytes(bytes(cert)))
        input_packets = list(PacketPile.from_bytes(raw))
    except Exception:
        raise CertificateError("unparseable") from None
    if any(packet.tag in _SECRET_TAGS for packet in input_packets):
        # Someone pasted the partner's private key: it must not be kept, and
        # the partner must be told it is no longer secret.
        raise CertificateError("secret")
    for packet in packets:
        if (
            packet.tag in _KEY_TAGS
            and packet.key_algorithm in _RSA
            and _rsa_bits(packet.body) < MIN_RSA_BITS
        ):
            raise CertificateError("rsa_too_short")
    try:
        revoked = cert.is_revoked
        expires = cert.expiration
    except Exception:
        # Sequoia's standard policy refuses the primary key (e.g. SHA-1
        # self-signatures, broken algorithms).
        raise CertificateError("weak_algorithm") from None
    if revoked:
        raise CertificateError("revoked")
    moment = now or clock()
    if expires is not None and expires <= moment:
        raise CertificateError("expired")
    try:
        # The one reliable test of "can we encrypt to it now": Sequoia picks
        # a valid, unexpired, unrevoked encryption-capable subkey or fails.
        pysequoia.encrypt(b"probe", [cert], armor=False)
    except Exception:
        raise CertificateError("no_encryption") from None
    return CheckedCertificate(
        armored=str(cert),
        fingerprint=cert.fingerprint.upper(),
        expires=expires,
        user_ids=tuple(str(uid) for uid in cert.user_ids),
    )


def load_certificate(armored: str) -> pysequoia.Cert:
    return _parse(armored.encode())


def generate_signing_key(user_id: str) -> tuple[bytes, str, str]:
    """A new Ed25519/X25519 key for the desk: (secret key bytes, public armour, fingerprint)."""
    tsk = pysequoia.Tsk.generate(user_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cert = tsk.extract_certificate()
    return bytes(tsk), str(cert), cert.fingerprint.upper()


def load_signing_key(secret: bytes) -> pysequoia.Tsk:
    return pysequoia.Tsk.from_bytes(secret)


def encrypt_and_sign(
    plaintext: bytes, recipient: pysequoia.Cert, signer: pysequoia.Tsk, *, armor: bool = False
) -> bytes:
    """One OpenPGP message: ``plaintext`` encrypted to ``recipient`` and signed by ``signer``."""
    return pysequoia.encrypt(plaintext, [recipient], signer=signer.signer(), armor=armor)
