"""What the referral steps share: their error, the text limits, their audit event."""

from __future__ import annotations

from amparo.accounts.models import User
from amparo.audit.log import DetailValue, record
from amparo.referrals.models import Referral

COVER_NOTE_MAX_CHARS = 8_000
REASON_MAX_CHARS = 4_000
REPLY_MAX_CHARS = 20_000


class ReferralError(Exception):
    """A step that cannot be taken; ``code`` names the reason, ``refused`` the details."""

    def __init__(self, code: str, refused: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.refused = refused or []


def check_text(text: str, limit: int, *, required: bool = True) -> str:
    text = text.strip()
    if required and not text:
        raise ReferralError("empty")
    if len(text) > limit:
        raise ReferralError("too_long")
    return text


def record_step(actor: User | None, referral: Referral, step: str, **details: DetailValue) -> None:
    """Audit one step of ``referral``: a "referral" event on its case, naming
    the referral and the step, with ``details`` after them."""
    record(
        actor,
        "referral",
        target_type="case",
        target_id=referral.case.public_id,
        details={"referral": referral.public_id, "step": step, **details},
    )
