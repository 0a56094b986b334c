"""Partners: added, changed, their keys confirmed by a second look, (de)activated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.referrals import openpgp
from amparo.referrals.actions.common import ReferralError
from amparo.referrals.models import Partner


@dataclass
class PartnerValues:
    name: str
    kind: str
    email: str
    languages: list[str]
    countries: list[str]
    regions: list[str]
    measures: list[str]


def _check_administrator(actor: User) -> None:
    if not actor.is_administrator:
        raise ReferralError("not_administrator")


def do_add_partner(actor: User, values: PartnerValues, certificate: str) -> Partner:
    """Add a partner with a checked certificate; it is unconfirmed until its
    fingerprint is typed back or confirmed by a second administrator."""
    _check_administrator(actor)
    try:
        checked = openpgp.check_certificate(certificate)
    except openpgp.CertificateError as error:
        raise ReferralError(f"key_{error.code}") from None
    partner = Partner(
        name=values.name.strip(),
        kind=values.kind,
        email=values.email,
        languages=values.languages,
        countries=values.countries,
        regions=values.regions,
        measures=values.measures,
        certificate=checked.armored,
        fingerprint=checked.fingerprint,
        key_expires=checked.expires,
        added_by=actor,
    )
    with transaction.atomic():
        partner.save()
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "added", "fingerprint": checked.fingerprint},
        )
    return partner


def do_update_partner(
    actor: User, partner: Partner, values: PartnerValues, certificate: str = ""
) -> Partner:
    """Change a partner's details; a new certificate needs confirming again."""
    _check_administrator(actor)
    new_key = bool(certificate.strip())
    if new_key:
        try:
            checked = openpgp.check_certificate(certificate)
        except openpgp.CertificateError as error:
            raise ReferralError(f"key_{error.code}") from None
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for name in ("kind", "email", "languages", "countries", "regions", "measures"):
            setattr(partner, name, getattr(values, name))
        partner.name = values.name.strip()
        if new_key and checked.fingerprint != partner.fingerprint:
            partner.certificate = checked.armored
            partner.fingerprint = checked.fingerprint
            partner.key_expires = checked.expires
            partner.confirmed_at = None
            partner.confirmed_by = None
            partner.confirmed_how = ""
        elif new_key:
            # Same key, refreshed (e.g. a new expiry date): no new confirmation.
            partner.certificate = checked.armored
            partner.key_expires = checked.expires
        partner.save()
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "changed", "fingerprint": partner.fingerprint, "new_key": new_key},
        )
    return partner


def do_confirm_partner_key(actor: User, partner: Partner, *, typed: str = "") -> Partner:
    """Confirm the fingerprint: typed back in full, or by a second administrator."""
    _check_administrator(actor)
    if partner.confirmed:
        raise ReferralError("already_confirmed")
    if typed:
        if openpgp.normalise_fingerprint(typed) != partner.fingerprint:
            raise ReferralError("fingerprint_mismatch")
        how = "typed"
    elif partner.added_by_id is not None and partner.added_by_id != actor.pk:
        how = "second_admin"
    else:
        raise ReferralError("confirm_needs_typing")
    with transaction.atomic():
        updated = Partner.objects.filter(
            pk=partner.pk, fingerprint=partner.fingerprint, confirmed_at__isnull=True
        ).update(confirmed_by=actor, confirmed_at=timezone.now(), confirmed_how=how)
        if not updated:
            raise ReferralError("already_confirmed")
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "confirmed", "how": how, "fingerprint": partner.fingerprint},
        )
    partner.refresh_from_db()
    return partner


def do_set_partner_active(actor: User, partner: Partner, active: bool) -> None:
    _check_administrator(actor)
    with transaction.atomic():
        Partner.objects.filter(pk=partner.pk).update(active=active)
        record(
            actor,
            "partner_changed",
            target_type="partner",
            target_id=partner.public_id,
            details={"step": "activated" if active else "deactivated"},
        )
    partner.refresh_from_db()


def check_partner_usable(partner: Partner) -> Any:
    """The partner's certificate, parsed and checked now, or ReferralError."""
    if not partner.active:
        raise ReferralError("partner_inactive")
    if not partner.confirmed:
        raise ReferralError("partner_unconfirmed")
    try:
        checked = openpgp.check_certificate(partner.certificate)
    except openpgp.CertificateError as error:
        if error.code == "unparseable":
            raise ReferralError("key_tampered") from None
        raise ReferralError(f"key_{error.code}") from None
    if checked.fingerprint != partner.fingerprint:
        # The stored certificate is not the one whose fingerprint was confirmed.
        raise ReferralError("key_tampered")
    return openpgp.load_certificate(checked.armored)
