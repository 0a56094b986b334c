"""Partner pages (administrators), the signing key page, and referral pages (the desk).

Every view reaches its object through ``amparo.referrals.access`` or
``amparo.cases.access``; every change is a ``do_*`` action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases.access import access_case_by_public_id
from amparo.cases.models import Case
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.consent import rules
from amparo.consent.details import case_details
from amparo.consent.views import target_label
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.reference import api as reference
from amparo.referrals import openpgp
from amparo.referrals.access import access_partner_by_public_id, access_referral_by_public_id
from amparo.referrals.actions import (
    PartnerValues,
    ReferralError,
    do_add_partner,
    do_approve,
    do_cancel_referral,
    do_confirm_partner_key,
    do_download_package,
    do_prepare_referral,
    do_record_response,
    do_send_back,
    do_send_withdrawal_notice,
    do_set_partner_active,
    do_update_partner,
    refused_details,
)
from amparo.referrals.forms import (
    ApproveForm,
    ConfirmKeyForm,
    PartnerForm,
    PrepareReferralForm,
    ResponseForm,
    SendBackForm,
)
from amparo.referrals.models import Partner, Referral, ReferralStatus
from amparo.referrals.package import build_contents
from amparo.referrals.signing import active_key, do_create_signing_key

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


def _message(error: ReferralError, labels: dict[str, str] | None = None) -> str:
    text = str(ERRORS.get(error.code, lambda: _("This could not be done."))())
    if error.refused:
        names = [(labels or {}).get(code, code) for code in error.refused]
        text = f"{text} {', '.join(names)}"
    return text


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _open(request: HttpRequest, case: Case) -> OpenCase:
    try:
        return open_for_staff(case, request.user, keyring.private_key(request))
    except NoAccess:
        raise Http404 from None


# --- Partners -----------------------------------------------------------------------------


def _values(data: dict[str, Any]) -> PartnerValues:
    return PartnerValues(
        name=data["name"],
        kind=data["kind"],
        email=data["email"],
        languages=list(data["languages"]),
        countries=list(data["countries"]),
        regions=list(data["regions"]),
        measures=list(data["measures"]),
    )


@ADMIN
@require_safe
@never_cache
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/partner_list.html", {"partners": Partner.objects.all()})


@ADMIN
@never_cache
@require_http_methods(["GET", "POST"])
def partner_add(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                partner = do_add_partner(
                    _user(request), _values(form.cleaned_data), form.cleaned_data["certificate"]
                )
            except ReferralError as error:
                form.add_error("certificate", _message(error))
            else:
                messages.success(
                    request,
                    _(
                        "Partner added. Confirm the key's fingerprint with them before any "
                        "referral."
                    ),
                )
                return redirect("referrals:partner", partner.public_id)
    return render(
        request, "referrals/partner_form.html", {"form": form, "partner": None}, status=status
    )


@ADMIN
@never_cache
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    partner = access_partner_by_public_id(request.user, public_id)
    initial = {
        "name": partner.name,
        "kind": partner.kind,
        "email": partner.email,
        "languages": partner.languages,
        "countries": partner.countries,
        "regions": partner.regions,
        "measures": partner.measures,
    }
    form = PartnerForm(request.POST or None, initial=initial, key_required=False)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                do_update_partner(
                    _user(request),
                    partner,
                    _values(form.cleaned_data),
                    form.cleaned_data.get("certificate") or "",
                )
            except ReferralError as error:
                form.add_error("certificate", _message(error))
            else:
                messages.success(request, _("Partner saved."))
                return redirect("referrals:partner", partner.public_id)
    return render(
        request, "referrals/partner_form.html", {"form": form, "partner": partner}, status=status
    )


@ADMIN
@require_safe
@never_cache
def partner_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    partner = access_partner_by_public_id(request.user, public_id)
    return _partner_page(request, partner, ConfirmKeyForm())


def _partner_page(
    request: HttpRequest, partner: Partner, form: ConfirmKeyForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "referrals/partner_detail.html",
        {
            "partner": partner,
            "measure_labels": [
                reference.term_label("protection_measure", code) for code in partner.measures
            ],
            "country_names": [reference.country_name(code) for code in partner.countries],
            "fingerprint": openpgp.format_fingerprint(partner.fingerprint),
            "form": form,
            "second_admin": partner.added_by_id != request.user.pk,
        },
        status=status,
    )


@ADMIN
@require_POST
def partner_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    partner = access_partner_by_public_id(request.user, public_id)
    form = ConfirmKeyForm(request.POST)
    if not form.is_valid():
        return _partner_page(request, partner, form, 400)
    try:
        do_confirm_partner_key(_user(request), partner, typed=form.cleaned_data["typed"])
    except ReferralError as error:
        form.add_error("typed", _message(error))
        return _partner_page(request, partner, form, 400)
    messages.success(
        request, _("The fingerprint is confirmed: referrals to this partner are possible.")
    )
    return redirect("referrals:partner", partner.public_id)


@ADMIN
@require_POST
def partner_active(request: HttpRequest, public_id: str) -> HttpResponse:
    partner = access_partner_by_public_id(request.user, public_id)
    do_set_partner_active(_user(request), partner, request.POST.get("active") == "1")
    messages.success(request, _("Partner saved."))
    return redirect("referrals:partner", partner.public_id)


# --- The desk's signing key ---------------------------------------------------------------


@KEYS
@never_cache
@require_http_methods(["GET", "POST"])
def signing_key(request: HttpRequest) -> HttpResponse:
    """The desk's public signing key, for partners to check signatures; coordinators renew it."""
    if request.method == "POST":
        if not _user(request).is_coordinator:
            raise Http404
        do_create_signing_key(_user(request))
        messages.success(request, _("A new signing key was made and sealed to every coordinator."))
        return redirect("referrals:signing_key")
    key = active_key()
    return render(
        request,
        "referrals/signing_key.html",
        {
            "key": key,
            "fingerprint": openpgp.format_fingerprint(key.fingerprint) if key else "",
        },
    )


# --- Referrals ----------------------------------------------------------------------------


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
        opened = _open(request, case)
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
                    _user(request),
                    partner=partner,
                    fields=list(data["details"]),
                    cover_note=data["cover_note"],
                    measure=measure,
                )
            except ReferralError as error:
                form.add_error(None, _message(error, labels))
            else:
                messages.success(
                    request, _("The referral waits for a second coordinator's approval.")
                )
                return redirect("referrals:detail", referral.public_id)
    return render(request, "referrals/prepare.html", context, status=status)


def _detail_page(
    request: HttpRequest,
    referral: Referral,
    *,
    status: int = 200,
    send_back_form: SendBackForm | None = None,
) -> HttpResponse:
    case = referral.case
    opened = _open(request, case)
    labels = {d.code: d.label for d in case_details(opened)}
    user = _user(request)
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
            "send_back_form": send_back_form or SendBackForm(),
            "response_form": ResponseForm(initial={"outcome": referral.outcome}),
        },
        status=status,
    )


@DESK
@require_safe
@never_cache
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        return _detail_page(request, referral)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())


def _post(request: HttpRequest, public_id: str) -> tuple[Referral, OpenCase]:
    referral = access_referral_by_public_id(request.user, public_id)
    return referral, _open(request, referral.case)


def _refused(request: HttpRequest, referral: Referral, error: ReferralError) -> HttpResponse:
    messages.error(request, _message(error))
    referral.refresh_from_db()
    return _detail_page(request, referral, status=409 if error.code == "not_awaiting" else 400)


@DESK
@require_POST
def approve(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        referral, opened = _post(request, public_id)
        private_key = keyring.private_key(request)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        do_approve(
            opened,
            _user(request),
            private_key,
            referral,
            by_email=bool(form.cleaned_data.get("by_email")),
        )
    except ReferralError as error:
        return _refused(request, referral, error)
    messages.success(request, _("Approved: the package is built, encrypted and signed."))
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def send_back(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        referral, opened = _post(request, public_id)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    form = SendBackForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, referral, status=400, send_back_form=form)
    try:
        do_send_back(opened, _user(request), referral, form.cleaned_data["reason"])
    except ReferralError as error:
        return _refused(request, referral, error)
    messages.success(request, _("Sent back to the preparer with your reason."))
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        do_cancel_referral(_user(request), referral)
    except ReferralError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The referral is cancelled."))
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        package = do_download_package(_user(request), referral)
    except ReferralError as error:
        messages.error(request, _message(error))
        return redirect("referrals:detail", referral.public_id)
    response = HttpResponse(package, content_type="application/octet-stream")
    # A name that says nothing of the case: the referral's random id.
    response["Content-Disposition"] = f'attachment; filename="{referral.public_id}.pgp"'
    response["Cache-Control"] = "no-store"
    return response


@DESK
@require_POST
def response(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        referral, opened = _post(request, public_id)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This could not be done."))
        return _detail_page(request, referral, status=400)
    try:
        do_record_response(
            opened,
            _user(request),
            referral,
            acknowledged=form.cleaned_data["acknowledged"],
            outcome=form.cleaned_data.get("outcome") or "",
            reply=form.cleaned_data.get("reply") or "",
        )
    except ReferralError as error:
        return _refused(request, referral, error)
    messages.success(request, _("Recorded."))
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def withdrawal_notice(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        do_send_withdrawal_notice(_user(request), referral)
    except ReferralError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The notice is on its way to the partner."))
    return redirect("referrals:detail", referral.public_id)


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
