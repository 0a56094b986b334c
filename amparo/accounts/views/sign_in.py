"""Signing in and out, and the staff home page."""

from __future__ import annotations

import logging

from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import attempts, devices, keyring
from amparo.accounts.access import staff_required
from amparo.accounts.actions import (
    audit_failed_sign_in,
    audit_sign_in,
    audit_sign_out,
    verify_sign_in,
)
from amparo.accounts.forms import SignInForm
from amparo.accounts.models import StaffChange, User
from amparo.accounts.two_person import last_held_references, may_confirm
from amparo.accounts.usernames import normalize_username
from amparo.core.redirects import safe_next
from amparo.core.throttle import Throttle, client_id

logger = logging.getLogger("amparo.accounts")

# Per account: a handful of tries, then a pause. Per client: more, since an
# office or a Tor exit may share one address.
ACCOUNT_THROTTLE = Throttle("sign-in-account", limit=5, window_seconds=15 * 60)
CLIENT_THROTTLE = Throttle("sign-in-client", limit=30, window_seconds=15 * 60)


def _throttled(username: str, client: str | None) -> bool:
    # An unknown client (behind an onion service or proxy) is not counted per
    # client: one bucket for everyone would let anyone lock all staff out.
    return ACCOUNT_THROTTLE.exceeded(username) or (
        client is not None and CLIENT_THROTTLE.exceeded(client)
    )


def _count_failure(username: str, client: str | None) -> None:
    ACCOUNT_THROTTLE.hit(username)
    if client is not None:
        CLIENT_THROTTLE.hit(client)


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = normalize_username(form.cleaned_data["username"])
        client = client_id(request)
        # A browser where this person signed in before has its own attempt
        # bucket: someone else's failures cannot lock the owner out of it.
        device = devices.known_device(request, username)
        if device is not None:
            limited = devices.DEVICE_THROTTLE.exceeded(device)
        else:
            limited = _throttled(username, client)
        if limited:
            form.add_error(
                None,
                _(
                    "Too many attempts. Please wait 15 minutes and try again. If this is your "
                    "account, you can still sign in from a browser where you have signed in "
                    "before, or with your recovery key."
                ),
            )
            attempts.count_attempt(attempts.HELD_BACK)
        else:
            signed_in = verify_sign_in(
                username, form.cleaned_data["password"], form.cleaned_data["code"]
            )
            if signed_in is None:
                if device is not None:
                    devices.DEVICE_THROTTLE.hit(device)
                else:
                    _count_failure(username, client)
                known = User.objects.filter(username=username).first()
                if known is None:
                    attempts.count_attempt(attempts.UNKNOWN_ACCOUNT)
                else:
                    audit_failed_sign_in(known)
                # One message whether or not the account exists.
                form.add_error(None, _("The username, password or security code is not right."))
            else:
                if device is not None:
                    devices.DEVICE_THROTTLE.reset(device)
                else:
                    ACCOUNT_THROTTLE.reset(username)
                auth.login(request, signed_in.user)
                audit_sign_in(signed_in.user)
                response = redirect(safe_next(request) or "accounts:home")
                keyring.unlock(request, response, signed_in.private_key)
                devices.remember_device(response, username)
                return response
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_sign_out(request.user)
    auth.logout(request)
    response = redirect("home")
    keyring.forget(response)
    return response


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    me: User = request.user  # type: ignore[assignment]
    pending = StaffChange.objects.filter(state=StaffChange.State.PENDING)
    return render(
        request,
        "accounts/home.html",
        {
            "my_pending_roles": pending.filter(
                subject=me, kind=StaffChange.Kind.GRANT_ROLES
            ).first(),
            "only_mine": len(last_held_references(me)),
            "waiting_for_me": sum(1 for change in pending if may_confirm(me, change)),
        },
    )
