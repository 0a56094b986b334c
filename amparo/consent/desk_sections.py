"""Consent's sections of the desk's case page (amparo/cases/page_sections.py).

The consent section after the files, and above the message form the notice
that says why the team cannot write. The reporter's page gets its consent
sections from amparo/consent/reporter.py.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from amparo.cases.models import Consent, ConsentScope
from amparo.cases.page_sections import Section
from amparo.cases.vault import OpenCase
from amparo.consent import rules
from amparo.consent.details import case_details
from amparo.consent.models import SharingRequest


def case_consent(opened: OpenCase) -> dict[str, Any]:
    """The consent section: what the reporter agreed to, requests, history."""
    from amparo.consent.views import target_label

    case = opened.case
    labels = {d.code: d.label for d in case_details(opened)}

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
            if record.risk_note is not None
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
    }


def contact_notice(opened: OpenCase) -> dict[str, Any]:
    """Above the message form: why the team cannot write, when it cannot."""
    case = opened.case
    blocked = not rules.allows(case, ConsentScope.CONTACT)
    latest = (
        Consent.objects.filter(case=case, scope=ConsentScope.CONTACT).order_by("-id").first()
        if blocked
        else None
    )
    return {"blocked": blocked, "record": latest}


SECTIONS = (
    Section("consent", "files", "consent/_case_consent.html", case_consent),
    Section("contact_notice", "message_form", "consent/_contact_notice.html", contact_notice),
)
