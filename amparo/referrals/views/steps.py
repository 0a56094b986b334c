"""The steps taken on a referral's page: approve, send back, cancel, download, response, notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import keyring
from amparo.cases.vault import OpenCase
from amparo.referrals.access import access_referral_by_public_id
from amparo.referrals.actions.approval import (
    do_approve,
    do_cancel_referral,
    do_download_package,
    do_send_back,
)
from amparo.referrals.actions.common import ReferralError
from amparo.referrals.actions.responses import do_record_response, do_send_withdrawal_notice
from amparo.referrals.forms import ApproveForm, ResponseForm, SendBackForm
from amparo.referrals.models import Referral
from amparo.referrals.views.common import DESK, message, open_case, user_of
from amparo.referrals.views.pages import detail_page

# What a step does once its form is valid: the success message, or ReferralError.
Act = Callable[[Referral, OpenCase, dict[str, Any]], str]


def referral_post(
    request: HttpRequest,
    public_id: str,
    *,
    act: Act,
    form_class: type[forms.Form],
    name: str,
) -> HttpResponse:
    """The skeleton the steps that open the case share (as cases' ``case_form_post``).

    Reach the referral (404 as if missing), open its case with the person's key
    (sign in again if it is gone), check the form (the page again with the form
    ``name`` bound, 400), act (a refusal shows the page again with the reason;
    409 when someone else decided first), then say what was done and go back
    to the referral's page.
    """
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        opened = open_case(request, referral.case)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("This could not be done."))
        return detail_page(request, referral, status=400, bound={name: form})
    try:
        done = act(referral, opened, form.cleaned_data)
    except ReferralError as error:
        messages.error(request, message(error))
        referral.refresh_from_db()
        return detail_page(request, referral, status=409 if error.code == "not_awaiting" else 400)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    messages.success(request, done)
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def approve(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(referral: Referral, opened: OpenCase, data: dict[str, Any]) -> str:
        private_key = keyring.private_key(request)
        do_approve(
            opened, user_of(request), private_key, referral, by_email=bool(data.get("by_email"))
        )
        return _("Approved: the package is built, encrypted and signed.")

    return referral_post(request, public_id, act=act, form_class=ApproveForm, name="approve_form")


@DESK
@require_POST
def send_back(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(referral: Referral, opened: OpenCase, data: dict[str, Any]) -> str:
        do_send_back(opened, user_of(request), referral, data["reason"])
        return _("Sent back to the preparer with your reason.")

    return referral_post(
        request, public_id, act=act, form_class=SendBackForm, name="send_back_form"
    )


@DESK
@require_POST
def response(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(referral: Referral, opened: OpenCase, data: dict[str, Any]) -> str:
        do_record_response(
            opened,
            user_of(request),
            referral,
            acknowledged=data["acknowledged"],
            outcome=data.get("outcome") or "",
            reply=data.get("reply") or "",
        )
        return _("Recorded.")

    return referral_post(request, public_id, act=act, form_class=ResponseForm, name="response_form")


# The steps below need no key: they neither read nor write the case's content.


def keyless_step(
    request: HttpRequest, public_id: str, act: Callable[[Referral], None], done: str
) -> HttpResponse:
    """Reach the referral (404 as if missing), act as the signed-in person, say
    ``done`` or why not, and go back to the referral's page."""
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        act(referral)
    except ReferralError as error:
        messages.error(request, message(error))
    else:
        messages.success(request, done)
    return redirect("referrals:detail", referral.public_id)


@DESK
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    return keyless_step(
        request,
        public_id,
        lambda referral: do_cancel_referral(user_of(request), referral),
        _("The referral is cancelled."),
    )


@DESK
@require_POST
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    referral = access_referral_by_public_id(request.user, public_id)
    try:
        package = do_download_package(user_of(request), referral)
    except ReferralError as error:
        messages.error(request, message(error))
        return redirect("referrals:detail", referral.public_id)
    response = HttpResponse(package, content_type="application/octet-stream")
    # A name that says nothing of the case: the referral's random id.
    response["Content-Disposition"] = f'attachment; filename="{referral.public_id}.pgp"'
    response["Cache-Control"] = "no-store"
    return response


@DESK
@require_POST
def withdrawal_notice(request: HttpRequest, public_id: str) -> HttpResponse:
    return keyless_step(
        request,
        public_id,
        lambda referral: do_send_withdrawal_notice(user_of(request), referral),
        _("The notice is on its way to the partner."),
    )
