"""What every desk page shares: the access decorator, the person's key, the messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases.models import Case
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.core.roles import Role
from amparo.core.staff import staff_required

DESK = staff_required(Role.HANDLER, Role.COORDINATOR)


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def sign_in_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Please sign in again to unlock the cases."))
    return redirect_to_login(request.get_full_path())


def open_case(request: HttpRequest, case: Case) -> OpenCase:
    """The case with its data key, through the person's own sealed copy.

    Raises KeyUnavailable (sign in again) or Http404 (no copy: as if missing).
    """
    private_key = keyring.private_key(request)
    try:
        return open_for_staff(case, request.user, private_key)
    except NoAccess:
        raise Http404 from None


ERRORS = {
    "stale": lambda: _(
        "This case changed since you opened it (someone else acted on it, or the reporter "
        "wrote). Nothing was saved. Read the page again; what you typed is kept below."
    ),
    "empty": lambda: _("Write something first: the text is empty."),
    "too_long": lambda: _("This text is too long. Nothing was sent or saved."),
    "illegal_transition": lambda: _(
        "This case cannot move to that stage from where it is now. Nothing was changed."
    ),
    "reason_required": lambda: _("This move needs a reason. Nothing was changed."),
    "current_assessment_required": lambda: _(
        "Record a risk assessment before moving the case to “Assessed”. Nothing was changed."
    ),
    "original_required": lambda: _(
        "To record a duplicate, give the reference of the original case. Nothing was changed."
    ),
    "original_not_found": lambda: _(
        "There is no case with that reference that you can see. Nothing was changed."
    ),
    "original_is_self": lambda: _("A case cannot be a duplicate of itself. Nothing was changed."),
    "original_is_duplicate": lambda: _(
        "That case is itself a duplicate: give the reference of the first report. "
        "Nothing was changed."
    ),
    "not_coordinator": lambda: _("Only coordinators assign cases."),
    "not_a_handler": lambda: _(
        "That person is not a handler with a key pair, so the case cannot be assigned to "
        "them. Nothing was changed."
    ),
    "unchanged": lambda: _("The case is already assigned to that person. Nothing was changed."),
    "no_key": lambda: _("You hold no key to this case, so you cannot pass it on."),
    "link_self": lambda: _("A case cannot be linked to itself."),
    "no_contact_consent": lambda: _(
        "The reporter has not agreed to be contacted, or has withdrawn that consent, so "
        "the team cannot write to them. Nothing was sent."
    ),
    "already_linked": lambda: _("These cases are already linked. Nothing was changed."),
    "link_not_found": lambda: _(
        "There is no case with that reference that you can see. Nothing was changed."
    ),
}
STATUS = {"stale": 409}


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", args=[case.public_id]) + (f"#{anchor}" if anchor else "")
