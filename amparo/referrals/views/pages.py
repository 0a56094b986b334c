"""The referral pages of the desk: a case's referrals, preparing one, one referral, the queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from amparo.accounts import keyring
from amparo.cases.access import access_case_by_public_id
from amparo.cases.models import Case
from amparo.consent import rules
from amparo.consent.details import case_details
from amparo.consent.views import target_label
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.referrals import openpgp
from amparo.referrals.access import access_referral_by_public_id
from amparo.referrals.actions.approval import do_prepare_referral, refused_details
from amparo.referrals.actions.common import ReferralError
from amparo.referrals.forms import ApproveForm, PrepareReferralForm, ResponseForm, SendBackForm
from amparo.referrals.models import Partner, Referral, ReferralStatus
from amparo.referrals.package import build_contents
from amparo.referrals.views.common import DESK, message, open_case, user_of


def _measures(case: Case) -> list[tuple[str, str]]:
    try:
        from amparo.protection.models import Measure
        from amparo.reference import api as reference
    except ImportError:
        return []
    return [
        (m.public_id, reference.term_label("protection_measure", m.kind))
        for m in Measure.objects.filter(case=case)
    ]


def _find_measure(case: Case, public_id: str) -> Any:
    if not public_id:
        return None
    from amparo.protection.models import Measure

    measure = Measure.objects.filter(case=case, public_id=public_id).first()
    if measure is None:
        raise ReferralError("unknown_measure")
    return measure


@DESK
@require_safe
@never_cache
def case_referrals(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access_case_by_public_id(request.user, public_id)
    referrals = Referral.objects.filter(case=case).select_related("partner", "prepared_by")
    return render(
        request,
        "referrals/case_referrals.html",
        {"case": case, "referrals": referrals},
    )


@DESK
@never_cache
@require_http_methods(["GET", "POST"])
def prepare(request: HttpRequest, public_id: str) -> HttpResponse:
    """Choose a partner and details within consent, write a cover note, preview, submit."""
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    details = case_details(opened)
    labels = {d.code: d.label for d in details}
    partners = list(Partner.objects.filter(active=True, confirmed_at__isnull=False))
    form = PrepareReferralForm(
        request.POST or None, partners=partners, details=details, measures=_measures(case)
    )
    covered: dict[str, list[str]] = {}
    for partner in partners:
        grant_codes = [
            d.code for d in details if rules.allows(case, "share", partner=partner, fields=[d.code])
        ]
        covered[partner.name] = [labels[c] for c in grant_codes]
    context: dict[str, Any] = {"case": case, "form": form, "covered": covered}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            partner = next(p for p in partners if p.public_id == data["partner"])
            try:
                measure = _find_measure(case, data.get("measure") or "")
                refused = refused_details(case, partner, list(data["details"]))
                if "preview" in request.POST:
                    if refused or not rules.sharing_state(case):
                        raise ReferralError(
                            "not_consented" if rules.sharing_state(case) else "no_consent",
                            refused,
                        )
                    grant = rules.sharing_grant(case, partner, list(data["details"]))
                    if grant is None:
                        raise ReferralError("not_consented", list(data["details"]))
                    preview = build_contents(
                        opened,
                        referral_id="(preview)",
                        partner=partner,
                        fields=list(data["details"]),
                        cover_note=data["cover_note"],
                        consent=grant,
                    )
                    context.update(
                        preview_summary=preview.summary,
                        preview_files=preview.manifest["files"],
                    )
                    return render(request, "referrals/prepare.html", context)
                referral = do_prepare_referral(
                    opened,
                    user_of(request),
                    partner=partner,
                    fields=list(data["details"]),
                    cover_note=data["cover_note"],
                    measure=measure,
                )
            except ReferralError as error:
                form.add_error(None, message(error, labels))
            else:
                messages.success(
                    request, _("The referral waits for a second coordinator's approval.")
                )
                return redirect("referrals:detail", referral.public_id)
    return render(request, "referrals/prepare.html", context, status=status)


def detail_page(
    request: HttpRequest,
    referral: Referral,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    case = referral.case
    opened = open_case(request, case)
    labels = {d.code: d.label for d in case_details(opened)}
    user = user_of(request)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "case": case,
            "details": [labels.get(code, code) for code in referral.fields],
            "cover_note": opened.decrypt_text(referral.cover_note, referral.aad_field("cover")),
            "sent_back_reason": opened.decrypt_text(
                referral.sent_back_reason, referral.aad_field("sent-back")
            )
            if referral.sent_back_reason is not None
            else "",
            "partner_reply": opened.decrypt_text(
                referral.partner_reply, referral.aad_field("reply")
            )
            if referral.partner_reply is not None
            else "",
            "may_decide": user.is_coordinator
            and referral.prepared_by_id != user.pk
            and referral.status == ReferralStatus.AWAITING_APPROVAL,
            "consent_covers": rules.allows(
                case, "share", partner=referral.partner, fields=referral.fields
            ),
            "target": target_label(referral.partner, ""),
            "partner_fingerprint": openpgp.format_fingerprint(referral.partner_fingerprint)
            if referral.partner_fingerprint
            else "",
            "approve_form": ApproveForm(),
            "send_back_form": SendBackForm(),
            "response_form": ResponseForm(initial={"outcome": referral.outcome}),
            # A form sent back with its errors, in place of the empty one.
            **(bound or {}),
        },
        status=status,
    )


@DESK
@require_safe
@never_cache
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        return detail_page(request, referral)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())


@staff_required(Role.COORDINATOR)
@require_safe
@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    """Referrals waiting for a coordinator, and sent ones whose consent was withdrawn."""
    from amparo.cases.access import visible_cases

    visible = visible_cases(request.user)
    waiting = Referral.objects.filter(
        case__in=visible, status=ReferralStatus.AWAITING_APPROVAL
    ).select_related("partner", "case", "prepared_by")
    withdrawn = Referral.objects.filter(
        case__in=visible, withdrawn_on__isnull=False, withdrawal_notice_on__isnull=True
    ).select_related("partner", "case")
    return render(request, "referrals/queue.html", {"waiting": waiting, "withdrawn": withdrawn})
