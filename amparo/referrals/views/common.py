"""What the referral pages share: who may open them, the refusal messages, the case key."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases.models import Case
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.referrals.actions.common import ReferralError

ADMIN = staff_required(Role.ADMINISTRATOR)
DESK = staff_required(Role.HANDLER, Role.COORDINATOR)
KEYS = staff_required(Role.COORDINATOR, Role.ADMINISTRATOR)

ERRORS: dict[str, Any] = {
    "not_administrator": lambda: _("Only administrators manage partners."),
    "key_unparseable": lambda: _(
        "This is not an OpenPGP public key that can be read. Paste the whole armoured block."
    ),
    "key_several": lambda: _("This holds several keys: paste the partner's one key only."),
    "key_secret": lambda: _(
        "This is a private key. It was not kept. Tell the partner that this key is no "
        "longer secret and ask for their public key."
    ),
    "key_rsa_too_short": lambda: _(
        "This RSA key is shorter than 2048 bits, too weak to protect a defender. Ask the "
        "partner for a stronger key."
    ),
    "key_weak_algorithm": lambda: _(
        "This key relies on an algorithm no longer considered secure. Ask the partner for a "
        "new key."
    ),
    "key_revoked": lambda: _(
        "This key has been revoked by its owner. Ask the partner for their current key."
    ),
    "key_expired": lambda: _("This key has expired. Ask the partner for a key that is valid."),
    "key_no_encryption": lambda: _(
        "Nothing can be encrypted to this key (it has no valid encryption subkey). Ask the "
        "partner for a key that can receive encrypted messages."
    ),
    "key_tampered": lambda: _(
        "The stored key is not the one whose fingerprint was confirmed. Nothing was sent. "
        "An administrator must check this partner's key again."
    ),
    "already_confirmed": lambda: _("This fingerprint is already confirmed."),
    "fingerprint_mismatch": lambda: _(
        "The fingerprint typed does not match this key. Nothing was confirmed: check it "
        "with the partner again."
    ),
    "confirm_needs_typing": lambda: _(
        "You added this partner: type the fingerprint back as the partner reads it to you, "
        "or ask a second administrator to confirm it."
    ),
    "partner_inactive": lambda: _("This partner is switched off."),
    "partner_unconfirmed": lambda: _(
        "This partner's key fingerprint has not been confirmed yet, so nothing can be sent to them."
    ),
    "no_fields": lambda: _("Choose at least one detail."),
    "unknown_field": lambda: _("One of the details chosen is not in this case."),
    "empty": lambda: _("Write something first: the text is empty."),
    "too_long": lambda: _("This text is too long. Nothing was saved."),
    "no_consent": lambda: _(
        "The reporter has not agreed to share anything with this partner. Ask them first "
        "(from the case page) and wait for their answer."
    ),
    "not_consented": lambda: _(
        "The reporter's consent does not cover some of these details for this partner. "
        "They were refused:"
    ),
    "unknown_measure": lambda: _("That measure is not part of this case."),
    "not_awaiting": lambda: _("This referral is no longer waiting for approval."),
    "wrong_state": lambda: _("This cannot be done at this step of the referral."),
    "not_coordinator": lambda: _("Only a coordinator can do this."),
    "preparer_cannot_approve": lambda: _(
        "You prepared this referral: a second coordinator must approve it or send it back."
    ),
    "consent_withdrawn": lambda: _(
        "The reporter's consent no longer covers this referral (withdrawn, lapsed or "
        "narrowed since it was prepared). Nothing was sent."
    ),
    "consent_changed": lambda: _(
        "The reporter's consent changed while the package was being built. Nothing was "
        "sent: look at the consent again."
    ),
    "no_signing_key": lambda: _(
        "You hold no share of the desk's signing key. A coordinator who holds one must "
        "approve once first, which shares it with you."
    ),
    "already_downloaded": lambda: _(
        "The package was already downloaded and is no longer on the server."
    ),
    "unknown_outcome": lambda: _("Choose an outcome from the list."),
    "not_withdrawn": lambda: _("Consent for this referral has not been withdrawn."),
    "notice_already_sent": lambda: _("The notice was already sent."),
}


def message(error: ReferralError, labels: dict[str, str] | None = None) -> str:
    text = str(ERRORS.get(error.code, lambda: _("This could not be done."))())
    if error.refused:
        names = [(labels or {}).get(code, code) for code in error.refused]
        text = f"{text} {', '.join(names)}"
    return text


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def open_case(request: HttpRequest, case: Case) -> OpenCase:
    try:
        return open_for_staff(case, request.user, keyring.private_key(request))
    except NoAccess:
        raise Http404 from None
