"""Partner pages (administrators) and the desk's signing key."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amparo.reference import api as reference
from amparo.referrals import openpgp
from amparo.referrals.access import access_partner_by_public_id
from amparo.referrals.actions.common import ReferralError
from amparo.referrals.actions.partners import (
    PartnerValues,
    do_add_partner,
    do_confirm_partner_key,
    do_set_partner_active,
    do_update_partner,
)
from amparo.referrals.forms import ConfirmKeyForm, PartnerForm
from amparo.referrals.models import Partner
from amparo.referrals.signing import active_key, do_create_signing_key
from amparo.referrals.views.common import ADMIN, KEYS, message, user_of


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
                    user_of(request), _values(form.cleaned_data), form.cleaned_data["certificate"]
                )
            except ReferralError as error:
                form.add_error("certificate", message(error))
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
                    user_of(request),
                    partner,
                    _values(form.cleaned_data),
                    form.cleaned_data.get("certificate") or "",
                )
            except ReferralError as error:
                form.add_error("certificate", message(error))
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
        do_confirm_partner_key(user_of(request), partner, typed=form.cleaned_data["typed"])
    except ReferralError as error:
        form.add_error("typed", message(error))
        return _partner_page(request, partner, form, 400)
    messages.success(
        request, _("The fingerprint is confirmed: referrals to this partner are possible.")
    )
    return redirect("referrals:partner", partner.public_id)


@ADMIN
@require_POST
def partner_active(request: HttpRequest, public_id: str) -> HttpResponse:
    partner = access_partner_by_public_id(request.user, public_id)
    do_set_partner_active(user_of(request), partner, request.POST.get("active") == "1")
    messages.success(request, _("Partner saved."))
    return redirect("referrals:partner", partner.public_id)


# --- The desk's signing key ---------------------------------------------------------------


@KEYS
@never_cache
@require_http_methods(["GET", "POST"])
def signing_key(request: HttpRequest) -> HttpResponse:
    """The desk's public signing key, for partners to check signatures; coordinators renew it."""
    if request.method == "POST":
        if not user_of(request).is_coordinator:
            raise Http404
        do_create_signing_key(user_of(request))
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
