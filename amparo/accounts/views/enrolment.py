"""Joining the desk and keeping one's key: invitations, enrolment, password, recovery."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from amparo.accounts import devices, keyring, totp
from amparo.accounts.access import staff_required
from amparo.accounts.actions import (
    AccountError,
    audit_failed_sign_in,
    do_change_password,
    do_enrol,
    do_invite,
    do_recover,
    find_invitation,
)
from amparo.accounts.forms import EnrolForm, InvitationForm, PasswordChangeForm, RecoverForm
from amparo.accounts.models import Invitation, Role, User
from amparo.accounts.usernames import normalize_username
from amparo.accounts.views.sign_in import ACCOUNT_THROTTLE, CLIENT_THROTTLE
from amparo.core.throttle import Throttle, client_id
from amparo.crypto import generate_recovery_key

# Wrong current passwords on the change-password page, per account.
PASSWORD_CHANGE_THROTTLE = Throttle("password-change", limit=5, window_seconds=15 * 60)
ENROL_STATE_MAX_AGE = 60 * 60


# The invitation's token, once its link has been opened: in a signed cookie, never again in
# a URL. Lax, not Strict: the link is opened from a mail or chat application, and a Strict
# cookie set there would not come back on the redirect that follows.
ENROL_COOKIE = "amparo_enrol"
ENROL_COOKIE_SALT = "amparo.enrol-link"


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/invitation_invalid.html", status=404)
    response.delete_cookie(ENROL_COOKIE, path="/", samesite="Lax")
    return response


@never_cache
@require_safe
def enrol_link(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link: keep its token in a cookie and go on at a URL without it.

    The token lets whoever holds it enrol first. In the URL of every page and every form
    sent it would be written to the access logs of the server and of any reverse proxy;
    only this one request carries it (and gunicorn.conf.py's log replaces it).
    """
    if find_invitation(token) is None:
        return _invitation_invalid(request)
    response = redirect("accounts:enrol_form")
    response.set_signed_cookie(
        ENROL_COOKIE,
        token,
        salt=ENROL_COOKIE_SALT,
        max_age=ENROL_STATE_MAX_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    token = request.get_signed_cookie(
        ENROL_COOKIE, default="", salt=ENROL_COOKIE_SALT, max_age=ENROL_STATE_MAX_AGE
    )
    invitation = find_invitation(token) if token else None
    if invitation is None:
        return _invitation_invalid(request)
    state = None
    if request.method == "POST":
        try:
            state = signing.loads(
                request.POST.get("state", ""), salt="amparo.enrol", max_age=ENROL_STATE_MAX_AGE
            )
        except signing.BadSignature:
            state = None
        if state is None or state.get("invitation") != invitation.pk:
            messages.error(request, _("This page was open too long. Here are new codes."))
            return redirect(request.path)
    if state is None:
        # New secrets each time the page is shown; they live only in this page
        # (signed so they cannot be swapped) until the form is sent.
        state = {
            "invitation": invitation.pk,
            "recovery_key": generate_recovery_key(),
            "totp": totp.to_base32(totp.generate_secret()),
        }
    secret = totp.from_base32(state["totp"])
    form = EnrolForm(
        request.POST if request.method == "POST" else None,
        username=invitation.username,
        recovery_key=state["recovery_key"],
    )
    if request.method == "POST" and form.is_valid():
        step = totp.matching_step(secret, form.cleaned_data["code"], after_step=0)
        if step is None:
            form.add_error(
                "code", _("This code is not right. Check your phone's clock and try again.")
            )
        else:
            try:
                do_enrol(
                    invitation,
                    password=form.cleaned_data["new_password1"],
                    recovery_key=state["recovery_key"],
                    totp_secret=secret,
                    totp_step=step,
                )
            except AccountError:
                return _invitation_invalid(request)
            messages.success(request, _("Your account is ready. Please sign in."))
            response = redirect("accounts:login")
            response.delete_cookie(ENROL_COOKIE, path="/", samesite="Lax")
            return response
    uri = totp.provisioning_uri(
        secret, account=invitation.username, issuer=settings.AMPARO_DESK_NAME
    )
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "invitation": invitation,
            "state": signing.dumps(state, salt="amparo.enrol"),
            "recovery_key": state["recovery_key"],
            "totp_secret": state["totp"],
            "qr_svg": totp.qr_svg(uri),
        },
    )


@sensitive_post_parameters()
@staff_required()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # The current password is checked like at sign-in: a borrowed session
    # must not become an unlimited password-guessing oracle.
    subject = str(user.pk)
    form = PasswordChangeForm(
        request.POST or None, user=user, limited=PASSWORD_CHANGE_THROTTLE.exceeded(subject)
    )
    if request.method == "POST":
        valid = form.is_valid()
        if form.has_error("old_password", "wrong"):
            PASSWORD_CHANGE_THROTTLE.hit(subject)
            audit_failed_sign_in(user, reason="password_change")
        if valid:
            try:
                private_key = keyring.private_key(request)
            except keyring.KeyUnavailable:
                messages.error(request, _("Your session has expired. Please sign in again."))
                return redirect("accounts:login")
            do_change_password(user, private_key, form.cleaned_data["new_password1"])
            PASSWORD_CHANGE_THROTTLE.reset(subject)
            auth.update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    form = RecoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = normalize_username(form.cleaned_data["username"])
        client = client_id(request)
        # Per client only: the recovery key has 140 random bits, so a
        # per-account limit would protect nothing and would let anyone who
        # knows a username block its owner's way back in.
        if client is not None and CLIENT_THROTTLE.exceeded(client):
            form.add_error(None, _("Too many attempts. Please wait 15 minutes and try again."))
        else:
            try:
                _user, new_key = do_recover(
                    username,
                    form.cleaned_data["recovery_key"],
                    form.cleaned_data["code"],
                    form.cleaned_data["new_password1"],
                )
            except AccountError:
                if client is not None:
                    CLIENT_THROTTLE.hit(client)
                form.add_error(
                    None,
                    _(
                        "The username, recovery key or security code is not right. "
                        "A recovery key works only once: if you used it before, use the new "
                        "one you were given then."
                    ),
                )
            else:
                # Shown once, on this response only; never stored in clear.
                # The recovery key proves the owner: this browser becomes a
                # known one, which a lockout of unknown browsers does not stop.
                ACCOUNT_THROTTLE.reset(username)
                response = render(request, "accounts/recovered.html", {"recovery_key": new_key})
                devices.remember_device(response, username)
                return response
    return render(request, "accounts/recover.html", {"form": form})


@staff_required(Role.ADMINISTRATOR)
@never_cache
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        _invitation, token = do_invite(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["username"],
            [Role(role) for role in form.cleaned_data["roles"]],
        )
        # The link is shown once; the administrator passes it on by a safe channel.
        link = request.build_absolute_uri(reverse("accounts:enrol", args=[token]))
        form = InvitationForm()
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "link": link, "invitations": Invitation.objects.all()[:50]},
    )
