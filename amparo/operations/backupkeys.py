"""Backup key pairs and the installation id every backup is bound to.

A backup is encrypted to one or more X25519 public keys whose private halves
live off the server (with the operator, in a safe, on paper). The server holds
only the public keys, so it can write a backup it cannot read: a seized
server, or a copy of its backups, gives nothing away.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from amparo.crypto import KeyPair, derive_public_key, generate_keypair

PUBLIC_PREFIX = "amparo-backup-public-v1:"
PRIVATE_PREFIX = "amparo-backup-private-v1:"
_INSTALLATION_PURPOSE = "amparo.operations.installation-id"
_MANIFEST_PURPOSE = "amparo.operations.backup-manifest"


class BadBackupKey(ValueError):
    """The text given is not a backup key of the expected kind."""


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(text: str, prefix: str) -> bytes:
    # Accept the key alone or anywhere in a pasted text (e.g. backup_keygen's whole output).
    found = re.search(re.escape(prefix) + r"[A-Za-z0-9_=-]*", text)
    text = found[0] if found else text.strip()
    if not text.startswith(prefix):
        raise BadBackupKey(f"expected a key starting with {prefix!r}")
    body = text[len(prefix) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise BadBackupKey("the key is not valid base64") from None
    if len(raw) != 32:
        raise BadBackupKey("a backup key is 32 bytes")
    return raw


@dataclass(frozen=True)
class BackupKeyPair:
    public: str
    private: str = field(repr=False)


def new_backup_keypair() -> BackupKeyPair:
    pair: KeyPair = generate_keypair()
    return BackupKeyPair(
        public=PUBLIC_PREFIX + _encode(pair.public), private=PRIVATE_PREFIX + _encode(pair.private)
    )


def parse_public_key(text: str) -> bytes:
    return _decode(text, PUBLIC_PREFIX)


def parse_private_key(text: str) -> tuple[bytes, bytes]:
    """(public, private) raw keys from the private key's text form."""
    private = _decode(text, PRIVATE_PREFIX)
    return derive_public_key(private), private


def key_id(public: bytes) -> str:
    """A short name for a public key, so the operator knows which private key opens a file."""
    return hashlib.sha256(b"amparo-backup-key-id" + public).hexdigest()[:16]


def configured_public_keys() -> list[bytes]:
    return [parse_public_key(text) for text in settings.AMPARO_BACKUP_PUBLIC_KEYS]


def _secrets() -> list[str | bytes]:
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def installation_id(secret: str | bytes | None = None) -> str:
    """A stable name for this installation, derived from its secret key.

    The same secret key is what the audit chain's HMAC needs after a restore,
    so an installation that can verify a restored audit trail is exactly one
    that computes the same id; a backup of any other installation is refused.
    """
    return salted_hmac(
        _INSTALLATION_PURPOSE, "installation", secret=secret or settings.SECRET_KEY
    ).hexdigest()[:32]


def is_this_installation(candidate: str) -> bool:
    return any(constant_time_compare(candidate, installation_id(s)) for s in _secrets())


def manifest_mac(canonical: bytes, secret: str | bytes | None = None) -> str:
    """HMAC over a manifest: anyone can encrypt to a public key, only this
    installation can write a manifest it accepts."""
    return salted_hmac(
        _MANIFEST_PURPOSE, canonical, secret=secret or settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


def manifest_mac_ok(canonical: bytes, mac: str) -> bool:
    return any(constant_time_compare(mac, manifest_mac(canonical, s)) for s in _secrets())
