"""Consent on other apps' pages, rendered by this app.

``{% case_consent case %}`` is the consent section of the desk's case page;
``{% contact_notice case %}`` says, above the message form, why the team
cannot write. The reporter's page gets its consent sections from
amparo/consent/reporter.py.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from amparo.accounts import keyring
from amparo.cases.models import Case, Consent, ConsentScope
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.consent import rules
from amparo.consent.details import case_details
from amparo.consent.models import SharingRequest

register = template.Library()


def _open(context: template.Context, case: Case) -> OpenCase | None:
    request = context.get("request")
    if request is None:
        return None
    try:
        return open_for_staff(case, request.user, keyring.private_key(request))
    except (NoAccess, keyring.KeyUnavailable):
        return None


@register.inclusion_tag("consent/_case_consent.html", takes_context=True)
def case_consent(context: template.Context, case: Case) -> dict[str, Any]:
    from amparo.consent.views import target_label

    opened = _open(context, case)
    labels = {d.code: d.label for d in case_details(opened)} if opened else {}

    def named(codes: list[str]) -> list[str]:
        return [labels.get(code, code) for code in codes]

    state = rules.current(case)
    records = list(Consent.objects.filter(case=case).select_related("partner", "recorded_by"))
    by_pk = {record.pk: record for record in records}
    history = [
        {
            "record": record,
            "target": target_label(record.partner, record.partner_kind)
            if record.scope == ConsentScope.SHARE
            else "",
            "details": named(list(record.fields or [])),
            "risk_note": opened.decrypt_text(record.risk_note, record.aad_field())
            if opened is not None and record.risk_note is not None
            else "",
        }
        for record in reversed(records)
    ]
    requests = [
        {"request": item, "target": target_label(item.partner, item.partner_kind)}
        for item in SharingRequest.objects.filter(case=case).select_related("partner")
    ]
    try:
        referrals_url = reverse("referrals:case", args=[case.public_id])
    except NoReverseMatch:
        referrals_url = ""
    return {
        "case": case,
        "scopes": [
            {
                "label": ConsentScope(row.scope).label,
                "granted": row.granted,
                "lapsed": row.lapsed,
                "record": row.record,
            }
            for row in state.scopes
        ],
        "sharing": [
            {
                "consent": by_pk[grant.pk],
                "target": target_label(by_pk[grant.pk].partner, grant.partner_kind),
                "details": named(list(grant.fields or [])),
            }
            for grant in state.sharing
        ],
        "requests": requests,
        "history": history,
        "referrals_url": referrals_url,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("consent/_contact_notice.html")
def contact_notice(case: Case) -> dict[str, Any]:
    blocked = not rules.allows(case, ConsentScope.CONTACT)
    latest = (
        Consent.objects.filter(case=case, scope=ConsentScope.CONTACT).order_by("-id").first()
        if blocked
        else None
    )
    return {"blocked": blocked, "record": latest}
