from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth, messages
from django.core import signing
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amparo.accounts import attempts, devices, keyring, totp
from amparo.accounts.access import access_change_by_id, access_person_by_id, staff_required
from amparo.accounts.actions import (
    AccountError,
    LastHolder,
    do_cancel_change,
    do_change_password,
    do_change_roles,
    do_confirm_change,
    do_deactivate,
    do_enrol,
    do_invite,
    do_recover,
    do_request_key_destruction,
    find_invitation,
    last_held_references,
    may_cancel,
    may_confirm,
    verify_sign_in,
)
from amparo.accounts.forms import (
    EnrolForm,
    InvitationForm,
    PasswordChangeForm,
    RecoverForm,
    RolesForm,
    ShareWithForm,
    SignInForm,
)
from amparo.accounts.models import Invitation, Role, StaffChange, User
from amparo.accounts.usernames import normalize_username
from amparo.audit.log import record
from amparo.cases.access import live_keys
from amparo.cases.actions.keys import do_share_all_cases
from amparo.cases.models import Case, CaseKey
from amparo.core.throttle import Throttle, client_id
from amparo.crypto import generate_recovery_key

logger = logging.getLogger("amparo.accounts")

# Per account: a handful of tries, then a pause. Per client: more, since an
# office or a Tor exit may share one address.
ACCOUNT_THROTTLE = Throttle("sign-in-account", limit=5, window_seconds=15 * 60)
CLIENT_THROTTLE = Throttle("sign-in-client", limit=30, window_seconds=15 * 60)
# Wrong current passwords on the change-password page, per account.
PASSWORD_CHANGE_THROTTLE = Throttle("password-change", limit=5, window_seconds=15 * 60)
ENROL_STATE_MAX_AGE = 60 * 60


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


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


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
                    record(known, "login_failed", target_type="user", target_id=str(known.pk))
                # One message whether or not the account exists.
                form.add_error(None, _("The username, password or security code is not right."))
            else:
                if device is not None:
                    devices.DEVICE_THROTTLE.reset(device)
                else:
                    ACCOUNT_THROTTLE.reset(username)
                auth.login(request, signed_in.user)
                record(
                    signed_in.user, "login", target_type="user", target_id=str(signed_in.user.pk)
                )
                response = redirect(_safe_next(request) or "accounts:home")
                keyring.unlock(request, response, signed_in.private_key)
                devices.remember_device(response, username)
                return response
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request.user, "logout", target_type="user", target_id=str(request.user.pk))
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
            record(
                user,
                "login_failed",
                target_type="user",
                target_id=subject,
                details={"reason": "password_change"},
            )
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


def _error_message(error: AccountError, person: User | None = None) -> str:
    if isinstance(error, LastHolder):
        count = len(error.case_references)
        return ngettext(
            "%(name)s is the only person who can open %(count)d case. It must be shared "
            "with another coordinator first.",
            "%(name)s is the only person who can open %(count)d cases. They must be shared "
            "with another coordinator first.",
            count,
        ) % {"name": person.username if person else "", "count": count}
    known = {
        "pending_exists": _("A change of this kind is already waiting for confirmation."),
        "last_administrator": _(
            "This is the last administrator. Give another person the administrator role first."
        ),
        "inactive": _("This person has already been removed from the desk."),
        "self": _("You cannot remove yourself this way."),
        "not_allowed": _("You cannot confirm or cancel this change."),
        "still_active": _("This person has not been removed from the desk."),
        "nothing_to_destroy": _("This person holds no copy of any case key."),
        "no_keys": _("This person has not enrolled yet."),
    }
    return known.get(str(error), _("This change cannot be made."))


def _shared_message(count: int, person: User) -> str:
    return ngettext(
        "%(count)d case shared with %(name)s.",
        "%(count)d cases shared with %(name)s.",
        count,
    ) % {"count": count, "name": person.username}


@staff_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@never_cache
@require_http_methods(["GET"])
def people(request: HttpRequest) -> HttpResponse:
    """Staff, how many cases each can open, and the changes waiting for a second person."""
    me: User = request.user  # type: ignore[assignment]
    held = dict(live_keys().values_list("user").annotate(n=Count("id")).values_list("user", "n"))
    copies = dict(
        CaseKey.objects.values_list("user").annotate(n=Count("id")).values_list("user", "n")
    )
    pending = list(
        StaffChange.objects.filter(state=StaffChange.State.PENDING).select_related(
            "subject", "requested_by"
        )
    )
    waiting: dict[int, list[StaffChange]] = {}
    for staff_change in pending:
        waiting.setdefault(staff_change.subject_id, []).append(staff_change)
    staff = User.objects.order_by("-is_active", "username")
    return render(
        request,
        "accounts/people.html",
        {
            "staff": [
                (person, held.get(person.pk, 0), copies.get(person.pk, 0), waiting.get(person.pk))
                for person in staff
            ],
            "pending": [(c, may_confirm(me, c), may_cancel(me, c)) for c in pending],
            "mine": held.get(me.pk, 0),
            "total": Case.objects.count(),
        },
    )


@staff_required(Role.ADMINISTRATOR)
@never_cache
@require_http_methods(["GET", "POST"])
def person_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """An administrator changes a person's roles; key roles wait for a coordinator."""
    me: User = request.user  # type: ignore[assignment]
    person = access_person_by_id(me, user_id)
    if not person.is_active:
        messages.error(request, _error_message(AccountError("inactive")))
        return redirect("accounts:people")
    form = RolesForm(request.POST or None, initial={"roles": [str(r) for r in person.roles()]})
    last_held: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = do_change_roles(me, person, {Role(r) for r in form.cleaned_data["roles"]})
        except LastHolder as error:
            last_held = error.case_references
            form.add_error(None, _error_message(error, person))
        except AccountError as error:
            form.add_error(None, _error_message(error, person))
        else:
            if result.granted or result.removed:
                messages.success(
                    request,
                    _("The roles of %(name)s have been changed.") % {"name": person.username},
                )
            if result.waiting or result.removal_waiting:
                messages.info(
                    request,
                    _(
                        "The change to the handler or coordinator role now waits for the "
                        "confirmation of a coordinator other than you."
                    ),
                )
            return redirect("accounts:people")
    return render(
        request,
        "accounts/person_roles.html",
        {"person": person, "form": form, "last_held": last_held},
    )


@staff_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@never_cache
@require_http_methods(["GET", "POST"])
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove someone from the desk: at once, or (a coordinator) once a second
    coordinator confirms; never while only they can open some case."""
    me: User = request.user  # type: ignore[assignment]
    person = access_person_by_id(me, user_id)
    if request.method == "POST":
        try:
            pending = do_deactivate(me, person)
        except LastHolder as error:
            messages.error(request, _error_message(error, person))
            return redirect("accounts:deactivate", user_id=person.pk)
        except AccountError as error:
            messages.error(request, _error_message(error, person))
            return redirect("accounts:people")
        if pending is None:
            messages.success(
                request,
                _("%(name)s can no longer sign in or open any case.") % {"name": person.username},
            )
        else:
            messages.info(
                request,
                _(
                    "The removal of %(name)s now waits for the confirmation of a coordinator "
                    "other than you. Until then nothing changes."
                )
                % {"name": person.username},
            )
        return redirect("accounts:people")
    last_held = last_held_references(person)
    return render(
        request,
        "accounts/deactivate.html",
        {
            "person": person,
            "last_held": last_held,
            "share_form": ShareWithForm(sharer=me) if person.pk == me.pk else None,
            "needs_second": person.is_coordinator,
            "allowed": person.is_active and (person.pk != me.pk or person.is_coordinator),
        },
    )


@staff_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@require_POST
def destroy_keys(request: HttpRequest, user_id: int) -> HttpResponse:
    """Ask for a removed person's sealed copies to be destroyed (a coordinator confirms)."""
    me: User = request.user  # type: ignore[assignment]
    person = access_person_by_id(me, user_id)
    try:
        do_request_key_destruction(me, person)
    except AccountError as error:
        messages.error(request, _error_message(error, person))
    else:
        messages.info(
            request,
            _(
                "Destroying the key copies of %(name)s now waits for the confirmation of a "
                "coordinator other than you."
            )
            % {"name": person.username},
        )
    return redirect("accounts:people")


@staff_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@never_cache
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, change_id: int) -> HttpResponse:
    """Confirm (a second coordinator, signed in) or cancel a waiting change."""
    me: User = request.user  # type: ignore[assignment]
    staff_change = access_change_by_id(me, change_id)
    person = staff_change.subject
    if request.method == "POST":
        if request.POST.get("decision") == "cancel":
            try:
                do_cancel_change(me, staff_change)
            except AccountError as error:
                messages.error(request, _error_message(error, person))
            else:
                messages.success(request, _("The change has been cancelled."))
            return redirect("accounts:people")
        # Confirming needs the confirmer's own key in this session: proof that
        # they signed in with their password and second factor, and what lets
        # them share their cases with a new coordinator in the same step.
        try:
            private_key = keyring.private_key(request)
        except keyring.KeyUnavailable:
            messages.error(request, _("Your session has expired. Please sign in again."))
            return redirect("accounts:login")
        try:
            outcome = do_confirm_change(me, staff_change)
        except AccountError as error:
            messages.error(request, _error_message(error, person))
            return redirect("accounts:change", change_id=staff_change.pk)
        messages.success(request, _("The change has been confirmed."))
        if outcome.kept:
            messages.info(
                request,
                ngettext(
                    "%(count)d copy was kept: nobody else can open that case.",
                    "%(count)d copies were kept: nobody else can open those cases.",
                    outcome.kept,
                )
                % {"count": outcome.kept},
            )
        done = outcome.change
        if done.kind == StaffChange.Kind.GRANT_ROLES and request.POST.get("share"):
            person.refresh_from_db()
            if person.is_coordinator:
                count = do_share_all_cases(me, private_key, person)
                messages.success(request, _shared_message(count, person))
        return redirect("accounts:people")
    return render(
        request,
        "accounts/change.html",
        {
            "change": staff_change,
            "person": person,
            "can_confirm": may_confirm(me, staff_change),
            "can_cancel": may_cancel(me, staff_change),
            "offers_share": staff_change.kind == StaffChange.Kind.GRANT_ROLES
            and str(Role.COORDINATOR) in staff_change.roles,
            "last_held": last_held_references(person) if person.is_active else [],
        },
    )


@staff_required()
@never_cache
@require_http_methods(["GET", "POST"])
def share_mine(request: HttpRequest) -> HttpResponse:
    """Any staff member seals the cases they hold to a coordinator of their choice.

    This is how the last person able to open some cases hands them on before
    leaving: only they hold the keys, and only while signed in.
    """
    me: User = request.user  # type: ignore[assignment]
    form = ShareWithForm(request.POST or None, sharer=me)
    if request.method == "POST" and form.is_valid():
        try:
            private_key = keyring.private_key(request)
        except keyring.KeyUnavailable:
            messages.error(request, _("Your session has expired. Please sign in again."))
            return redirect("accounts:login")
        person = form.cleaned_data["coordinator"]
        count = do_share_all_cases(me, private_key, person)
        messages.success(request, _shared_message(count, person))
        return redirect(_safe_next(request) or "accounts:share_mine")
    return render(
        request,
        "accounts/share_mine.html",
        {
            "form": form,
            "only_mine": last_held_references(me),
            "held": live_keys().filter(user=me).count(),
        },
    )


@staff_required(Role.COORDINATOR)
@require_POST
def share_cases(request: HttpRequest, user_id: int) -> HttpResponse:
    """Seal every case the signed-in coordinator holds to another coordinator.

    Only someone who already holds the keys can do this, while signed in: the
    server cannot, by design.
    """
    me: User = request.user  # type: ignore[assignment]
    person = User.objects.filter(pk=user_id, is_active=True, is_coordinator=True).first()
    if person is None or person.pk == me.pk:
        messages.error(request, _("Cases can be shared only with another active coordinator."))
        return redirect("accounts:people")
    try:
        private_key = keyring.private_key(request)
    except keyring.KeyUnavailable:
        messages.error(request, _("Your session has expired. Please sign in again."))
        return redirect("accounts:login")
    count = do_share_all_cases(me, private_key, person)
    messages.success(
        request,
        ngettext(
            "%(count)d case shared with %(name)s.",
            "%(count)d cases shared with %(name)s.",
            count,
        )
        % {"count": count, "name": person.username},
    )
    return redirect("accounts:people")
