"""The People page and the changes to a person that need a second coordinator."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import hooks, keyring
from amparo.accounts.access import access_change_by_id, access_person_by_id, staff_required
from amparo.accounts.actions import AccountError
from amparo.accounts.forms import RolesForm, ShareWithForm
from amparo.accounts.models import Role, StaffChange, User
from amparo.accounts.two_person import (
    LastHolder,
    do_cancel_change,
    do_change_roles,
    do_confirm_change,
    do_deactivate,
    do_request_key_destruction,
    last_held_references,
    may_cancel,
    may_confirm,
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
    counts = hooks.case_counts()
    held, copies = counts.can_open, counts.copies
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
            "total": counts.total,
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
        {
            "person": person,
            "form": form,
            "last_held": last_held,
            # Taking the coordinator role away is asked for on this page.
            "only_signer": person.is_coordinator and hooks.holds_only_signing_share(person),
        },
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
            "only_signer": person.is_active and hooks.holds_only_signing_share(person),
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
                count = hooks.share_all_cases(me, private_key, person)
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
            "only_signer": person.is_active
            and staff_change.state == StaffChange.State.PENDING
            and staff_change.kind in (StaffChange.Kind.DEACTIVATE, StaffChange.Kind.REMOVE_ROLES)
            and hooks.holds_only_signing_share(person),
        },
    )
