"""The partners a consent to share may name: what amparo.consent asks of referrals
(its hooks, provided in ReferralsConfig.ready)."""

from __future__ import annotations

from amparo.referrals.models import Partner, PartnerKind


def sharing_partners() -> list[tuple[str, str]]:
    return [
        (partner.public_id, f"{partner.name} ({partner.get_kind_display()})")
        for partner in Partner.objects.filter(active=True)
    ]


def sharing_partner(public_id: str) -> Partner | None:
    return Partner.objects.filter(public_id=public_id, active=True).first()


def partner_kinds() -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in PartnerKind.choices]
