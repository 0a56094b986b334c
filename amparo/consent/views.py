"""Consent pages: the reporter's choices (follow-up session) and the team's records.

The reporter reaches only their own case, through the follow-up session
(amparo/intake/reporter_session.py); staff reach a case only through
``amparo.cases.access`` and decrypt with their own key.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases.access import access_case_by_public_id
from amparo.cases.models import Case, Consent, ConsentMethod, ConsentScope
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.consent import hooks, rules
from amparo.consent.access import (
    access_sharing_request_by_public_id,
    access_sharing_request_for_reporter,
)
from amparo.consent.actions import (
    FOLLOW_UP_WORDING,
    STAFF_WORDING,
    ConsentError,
    do_answer_sharing_request,
    do_cancel_sharing_request,
    do_propose_sharing,
    do_record_consent,
)
from amparo.consent.details import case_details, labels_for
from amparo.consent.forms import (
    REPORTER_SCOPES,
    ProposeSharingForm,
    ReporterChoiceForm,
    SharingAnswerForm,
    StaffConsentForm,
    WithdrawSharingForm,
)
from amparo.consent.models import RequestStatus, SharingRequest
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.intake import reporter_session

DESK = staff_required(Role.HANDLER, Role.COORDINATOR)

ERRORS = {
    "already_answered": lambda: _("This request was already answered or withdrawn."),
    "one_target": lambda: _("Choose one partner or one kind of partner, not both."),
    "no_partner": lambda: _("Choose a partner or a kind of partner."),
    "no_fields": lambda: _("Choose at least one detail."),
    "unknown_field": lambda: _("One of the details chosen does not exist."),
    "reason_required": lambda: _("Say why: the reporter reads it."),
    "risk_note_required": lambda: _(
        "Write what the person was told about the risks: it is required."
    ),
    "until_in_past": lambda: _("This date has passed: choose today or a later day."),
    "until_on_withdrawal": lambda: _("A withdrawal takes no end date."),
    "partner_only_for_sharing": lambda: _("A partner and details go only with a consent to share."),
    "too_long": lambda: _("This text is too long. Nothing was saved."),
}


def _error(code: str) -> str:
    return str(ERRORS.get(code, lambda: _("This could not be recorded."))())


def target_label(partner: Any, kind: str) -> str:
    if partner is not None:
        return str(partner.name)
    if kind:
        return _("any partner of the kind “%(kind)s”") % {
            "kind": dict(hooks.partner_kinds()).get(kind, kind)
        }
    return _("every partner")


# --- The reporter's side ----------------------------------------------------------


def _reporter_case(request: HttpRequest) -> OpenCase | None:
    try:
        return reporter_session.open_case(request)
    except reporter_session.NoReporterSession:
        return None


def _session_ended(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your follow-up session has ended. Please type your code again."))
    return redirect("intake:follow_up")


def _reporter_page(request: HttpRequest, opened: OpenCase, status: int = 200) -> HttpResponse:
    case = opened.case
    state = rules.current(case)
    language = translation.get_language()
    scope_rows = [
        {
            "scope": row.scope,
            "label": ConsentScope(row.scope).label,
            "granted": row.granted,
            "since": row.record.recorded_on if row.record else None,
        }
        for row in state.scopes
        if row.scope in REPORTER_SCOPES
    ]
    sharing = [
        {
            "consent": grant,
            "target": target_label(grant.partner, grant.partner_kind),
            "details": labels_for(opened, list(grant.fields), language),
        }
        for grant in Consent.objects.filter(pk__in=[g.pk for g in state.sharing]).select_related(
            "partner"
        )
    ]
    requests: list[dict[str, Any]] = [
        {
            "request": item,
            "target": target_label(item.partner, item.partner_kind),
            "reason": opened.decrypt_text(item.reason, item.aad_field()),
            "details": labels_for(opened, list(item.fields), language),
            "form": SharingAnswerForm(auto_id=f"answer-{item.public_id}-%s"),
        }
        for item in SharingRequest.objects.filter(case=case).select_related("partner")
    ]
    return render(
        request,
        "consent/reporter_choices.html",
        {
            "case": case,
            "scope_rows": scope_rows,
            "sharing": sharing,
            "open_requests": [r for r in requests if r["request"].status == RequestStatus.OPEN],
            "answered_requests": [r for r in requests if r["request"].status != RequestStatus.OPEN],
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reporter_choices(request: HttpRequest) -> HttpResponse:
    """The reporter sees and changes their choices (contact, statistics, publishing)."""
    opened = _reporter_case(request)
    if opened is None:
        return _session_ended(request)
    if request.method == "POST":
        form = ReporterChoiceForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("This choice could not be read. Nothing was changed."))
            return _reporter_page(request, opened, status=400)
        do_record_consent(
            opened.case,
            scope=form.cleaned_data["scope"],
            granted=form.cleaned_data["granted"],
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
            language=translation.get_language() or "",
        )
        messages.success(request, _("Your choice is recorded. It applies from now on."))
        return redirect("consent:reporter_choices")
    return _reporter_page(request, opened)


@never_cache
@require_http_methods(["GET", "POST"])
def reporter_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    opened = _reporter_case(request)
    if opened is None:
        return _session_ended(request)
    if request.method == "GET":  # the answer is a form on the choices page
        return redirect("consent:reporter_choices")
    sharing_request = access_sharing_request_for_reporter(opened.case, public_id)
    form = SharingAnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _reporter_page(request, opened, status=400)
    try:
        do_answer_sharing_request(
            sharing_request,
            agree=form.cleaned_data["answer"] == "agree",
            until=form.cleaned_data.get("until"),
            language=translation.get_language() or "",
        )
    except ConsentError as error:
        messages.error(request, _error(error.code))
        return _reporter_page(request, opened, status=409)
    messages.success(request, _("Your answer is recorded. Thank you."))
    return redirect("consent:reporter_choices")


@never_cache
@require_http_methods(["GET", "POST"])
def reporter_withdraw_sharing(request: HttpRequest) -> HttpResponse:
    """End one sharing agreement, or (no consent given) every one."""
    opened = _reporter_case(request)
    if opened is None:
        return _session_ended(request)
    if request.method == "GET":
        return redirect("consent:reporter_choices")
    form = WithdrawSharingForm(request.POST)
    if not form.is_valid():
        raise Http404
    partner, kind = None, ""
    if public_id := form.cleaned_data["consent"]:
        grant = Consent.objects.filter(
            case=opened.case, public_id=public_id, scope=ConsentScope.SHARE, granted=True
        ).first()
        if grant is None:
            raise Http404
        partner, kind = grant.partner, grant.partner_kind
    do_record_consent(
        opened.case,
        scope=ConsentScope.SHARE,
        granted=False,
        method=ConsentMethod.FOLLOW_UP,
        wording_version=FOLLOW_UP_WORDING,
        language=translation.get_language() or "",
        partner=partner,
        partner_kind=kind,
    )
    messages.success(
        request,
        _(
            "Your agreement is withdrawn. Nothing more will be sent. If something was already "
            "sent, the team will ask the partner to stop using it."
        ),
    )
    return redirect("consent:reporter_choices")


# --- The team's side ----------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _open(request: HttpRequest, case: Case) -> OpenCase:
    try:
        return open_for_staff(case, request.user, keyring.private_key(request))
    except NoAccess:
        raise Http404 from None


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id]) + "#consent"


@DESK
@never_cache
@require_http_methods(["GET", "POST"])
def record_consent(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a choice the person made in a conversation with the team."""
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = _open(request, case)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    details = case_details(opened)
    form = StaffConsentForm(request.POST or None, details=details)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_record_consent(
                    case,
                    scope=data["scope"],
                    granted=data["granted"],
                    method=ConsentMethod.STAFF,
                    wording_version=STAFF_WORDING,
                    language=case.language,
                    actor=_user(request),
                    opened=opened,
                    risk_note=data["risk_note"],
                    partner=data.get("partner"),
                    partner_kind=data.get("partner_kind") or "",
                    fields=data.get("details") or [],
                    until=data.get("until") if data["granted"] else None,
                )
            except ConsentError as error:
                form.add_error(None, _error(error.code))
            else:
                messages.success(request, _("The choice is recorded."))
                return redirect(_case_url(case))
    return render(request, "consent/record.html", {"case": case, "form": form}, status=status)


@DESK
@never_cache
@require_http_methods(["GET", "POST"])
def propose_sharing(request: HttpRequest, public_id: str) -> HttpResponse:
    """Ask the reporter, on their follow-up page, to agree to share some details."""
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = _open(request, case)
    except keyring.KeyUnavailable:
        return redirect_to_login(request.get_full_path())
    form = ProposeSharingForm(request.POST or None, details=case_details(opened))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_propose_sharing(
                    opened,
                    _user(request),
                    reason=data["reason"],
                    fields=data["details"],
                    partner=data.get("partner"),
                    partner_kind=data.get("partner_kind") or "",
                )
            except ConsentError as error:
                form.add_error(None, _error(error.code))
            else:
                messages.success(
                    request,
                    _("The request is on the reporter's follow-up page; they answer there."),
                )
                return redirect(_case_url(case))
    return render(
        request,
        "consent/propose.html",
        {"case": case, "form": form, "reporter_can_answer": bool(case.reporter_lookup)},
        status=status,
    )


@DESK
@require_POST
def cancel_request(request: HttpRequest, public_id: str, request_id: str) -> HttpResponse:
    case, sharing_request = access_sharing_request_by_public_id(request.user, public_id, request_id)
    try:
        do_cancel_sharing_request(_user(request), sharing_request)
    except ConsentError as error:
        messages.error(request, _error(error.code))
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect(_case_url(case))
