"""The forms on the case page: message, note, stage, assignment, link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases import forms as desk_forms
from amparo.cases.access import access_case_by_public_id, visible_case_by_reference
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.desk import do_add_message, do_add_note, do_change_stage, do_link_cases
from amparo.cases.actions.keys import assignable_handlers, do_assign
from amparo.cases.models import Case, Sender, Stage
from amparo.cases.vault import OpenCase
from amparo.cases.views.case import render_case
from amparo.cases.views.common import (
    DESK,
    ERRORS,
    STATUS,
    case_url,
    open_case,
    sign_in_again,
    user_of,
)


def _refused(
    request: HttpRequest,
    case: Case,
    opened: OpenCase,
    name: str,
    form_class: Any,
    code: str,
    **form_kwargs: Any,
) -> HttpResponse:
    """Show the case again with the refused form, its input kept and the reason said.

    A stale form comes back carrying the current version, so that sending
    it again, after reading what changed, goes through.
    """
    case.refresh_from_db()
    data = request.POST.copy()
    data["version"] = str(case.version)
    form = form_class(data, **form_kwargs)
    form.is_valid()
    if code != "stale":
        form.add_error(None, ERRORS[code]())
    messages.error(request, ERRORS[code]())
    return render_case(request, case, opened, bound={name: form}, status=STATUS.get(code, 400))


# What a form's action does once the form is valid: the success message, or CaseError.
Act = Callable[[Case, OpenCase, dict[str, Any]], str]


def case_form_post(
    request: HttpRequest,
    public_id: str,
    *,
    name: str,
    form_class: Any,
    act: Act,
    anchor: str,
    coordinator_only: bool = False,
    form_kwargs: Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The skeleton every form on the case page shares.

    Reach the case (404 as if missing), open it with the person's key (sign in
    again if it is gone), check the form (the case again with the errors, 400),
    act (a refusal shows the case again with the reason), then say what was
    done and go back to the section of the case page where it shows.
    """
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    if coordinator_only and not user_of(request).is_coordinator:
        raise PermissionDenied
    kwargs = form_kwargs() if form_kwargs else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return render_case(request, case, opened, bound={name: form}, status=400)
    try:
        done = act(case, opened, form.cleaned_data)
    except CaseError as error:
        return _refused(request, case, opened, name, form_class, error.code, **kwargs)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    messages.success(request, done)
    return redirect(case_url(case, anchor))


@DESK
@require_POST
def send_message(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(case: Case, opened: OpenCase, data: dict[str, Any]) -> str:
        do_add_message(
            opened,
            sender=Sender.DESK,
            text=data["text"],
            author=user_of(request),
            expected_version=data["version"],
        )
        return _("Your message was sent. The reporter sees it with their code.")

    return case_form_post(
        request,
        public_id,
        name="message",
        form_class=desk_forms.MessageForm,
        act=act,
        anchor="conversation",
    )


@DESK
@require_POST
def add_note(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(case: Case, opened: OpenCase, data: dict[str, Any]) -> str:
        do_add_note(opened, user_of(request), data["text"], expected_version=data["version"])
        return _("Note added.")

    return case_form_post(
        request, public_id, name="note", form_class=desk_forms.NoteForm, act=act, anchor="notes"
    )


@DESK
@require_POST
def change_stage(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(case: Case, opened: OpenCase, data: dict[str, Any]) -> str:
        user = user_of(request)
        original = None
        if data["original"]:
            original = visible_case_by_reference(user, data["original"])
            if original is None:
                raise CaseError("original_not_found")
        do_change_stage(
            opened,
            user,
            data["to"],
            expected_version=data["version"],
            reason=data["reason"],
            original=original,
            yearly_follow_up=data["yearly_follow_up"],
        )
        return _("The case is now at the stage “%(stage)s”.") % {"stage": Stage(data["to"]).label}

    return case_form_post(
        request,
        public_id,
        name="stage",
        form_class=desk_forms.StageForm,
        act=act,
        anchor="workflow",
    )


@DESK
@require_POST
def assign(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(case: Case, opened: OpenCase, data: dict[str, Any]) -> str:
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise CaseError("not_a_handler")
        do_assign(
            user_of(request),
            keyring.private_key(request),
            case,
            assignee,
            expected_version=data["version"],
        )
        if assignee is None:
            return _("The case is no longer assigned to anyone.")
        return _("The case is now assigned to %(name)s.") % {
            "name": assignee.get_full_name() or assignee.username
        }

    return case_form_post(
        request,
        public_id,
        name="assign",
        form_class=desk_forms.AssignForm,
        act=act,
        anchor="assignment",
        coordinator_only=True,
        form_kwargs=lambda: {"handlers": assignable_handlers()},
    )


@DESK
@require_POST
def link(request: HttpRequest, public_id: str) -> HttpResponse:
    def act(case: Case, opened: OpenCase, data: dict[str, Any]) -> str:
        user = user_of(request)
        other = visible_case_by_reference(user, data["reference"])
        if other is None:
            raise CaseError("link_not_found")
        do_link_cases(user, case, other, expected_version=data["version"])
        return _("The cases are now linked.")

    return case_form_post(
        request, public_id, name="link", form_class=desk_forms.LinkForm, act=act, anchor="links"
    )
