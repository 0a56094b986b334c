"""Reaching partners and referrals: one helper each, the same 404 for missing and forbidden."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from amparo.cases.access import visible_cases
from amparo.referrals.models import Partner, Referral


def access_partner_by_public_id(user: Any, public_id: str) -> Partner:
    """For administrators, who manage partners."""
    if not user.is_authenticated:
        raise Http404
    if not user.is_administrator:
        raise Http404
    partner = Partner.objects.filter(public_id=public_id).first()
    if partner is None:
        raise Http404
    return partner


def access_referral_by_public_id(user: Any, public_id: str) -> Referral:
    """A referral of a case the person may open (see amparo.cases.access)."""
    if not user.is_authenticated:
        raise Http404
    if not (user.is_coordinator or user.is_handler):
        raise Http404
    referral = (
        Referral.objects.select_related("partner", "case", "prepared_by", "decided_by")
        .filter(public_id=public_id, case__in=visible_cases(user))
        .first()
    )
    if referral is None:
        raise Http404
    return referral
