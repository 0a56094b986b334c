"""Time-based one-time codes (RFC 6238) for the staff second factor.

The algorithm is django-otp's; the secret's storage is ours, because the
threat model wants it encrypted at rest: it is wrapped under a key derived
from the person's own private key, so it can be read only right after the
password (or the recovery key) has unlocked that key.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP

from amparo.crypto import subkey, unwrap_with_key, wrap_with_key

SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
STEP_SECONDS = 30
# One step either way absorbs clock drift between the server and a phone.
TOLERANCE_STEPS = 1
_CONTEXT = "totp-secret"


def generate_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def from_base32(text: str) -> bytes:
    cleaned = "".join(text.split()).upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": to_base32(secret), "issuer": issuer, "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG drawn on the server (no outside service)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg


def seal_secret(secret: bytes, private_key: bytes) -> bytes:
    return wrap_with_key(secret, subkey(private_key, _CONTEXT), context=_CONTEXT)


def open_secret(sealed: bytes, private_key: bytes) -> bytes:
    return unwrap_with_key(bytes(sealed), subkey(private_key, _CONTEXT), context=_CONTEXT)


def matching_step(secret: bytes, code: str, *, after_step: int) -> int | None:
    """The time step the code belongs to, if valid and later than ``after_step``.

    Refusing steps at or before the last accepted one makes every code
    single-use, so a code seen over a shoulder cannot be replayed.
    """
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        return None
    totp = TOTP(secret, step=STEP_SECONDS)
    if totp.verify(int(digits), tolerance=TOLERANCE_STEPS, min_t=after_step + 1):
        step: int = totp.t()
        return step
    return None


def current_code(secret: bytes) -> str:
    return f"{TOTP(secret, step=STEP_SECONDS).token():06d}"
