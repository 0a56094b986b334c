"""The reporter's follow-up: the code, the report and conversation, files, leaving."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.cases.actions.create import do_upgrade_receipt
from amparo.cases.downloads import file_response
from amparo.cases.models import Attachment, Message, Sender, Stage, Urgency
from amparo.cases.vault import NoAccess, OpenCase, ReporterAccess, open_for_reporter_by_keys
from amparo.core import views as core_views
from amparo.crypto import InvalidReceipt, normalize_receipt
from amparo.intake import limits, reporter_sections, reporter_session
from amparo.intake import questionnaire as q
from amparo.intake.actions import (
    audit_reporter_download,
    audit_reporter_visit,
    do_complete_report,
    do_mark_read_by_reporter,
    do_reporter_message,
)
from amparo.intake.desk_texts import desk_texts
from amparo.intake.filecheck import missing_errors
from amparo.intake.forms import MessageForm, ReceiptForm, ReportForm, error_summary
from amparo.intake.stretching import StretchBusy, stretch_for_follow_up
from amparo.intake.uploads import (
    EncryptedUpload,
    encrypt_uploads,
    file_parts_missing,
    max_file_bytes,
    max_files,
)
from amparo.intake.views.checks import (
    FileCheck,
    check_files,
    csrf_rejected,
    discard,
    from_our_own_page,
    kept,
    names_of,
    uploads_of,
    without,
)

logger = logging.getLogger("amparo.intake")


# What the reporter reads about each stage: plain words, no desk jargon.
STATUS_TEXT = {
    Stage.RECEIVED: gettext_lazy("Your report has arrived. The desk has not read it yet."),
    Stage.ACKNOWLEDGED: gettext_lazy("The desk has read your report."),
    Stage.UNDER_ASSESSMENT: gettext_lazy(
        "The desk is looking into what happened and the risks you and others face."
    ),
    Stage.NOT_A_REPRISAL: gettext_lazy(
        "The desk has finished looking at your report. Please read its messages below."
    ),
    Stage.DUPLICATE: gettext_lazy(
        "The desk is handling your report together with another report about the same events."
    ),
    Stage.ASSESSED: gettext_lazy(
        "The desk has finished assessing your report and is deciding how it can respond."
    ),
    Stage.RESPONSE_IN_PROGRESS: gettext_lazy(
        "The desk is taking action in response to your report."
    ),
    Stage.MONITORING: gettext_lazy(
        "The desk is following how your situation develops and may check in with you."
    ),
    Stage.CLOSED: gettext_lazy(
        "The desk has closed your report. You can still read it and write to the desk."
    ),
}


def _stage_as_seen(case: Any, conversation: list[dict[str, Any]]) -> str:
    """The stage to describe: a report the desk has answered has been read,
    whatever the stage says (it may not have been moved on yet)."""
    if case.stage == Stage.RECEIVED and any(m["from_desk"] for m in conversation):
        return Stage.ACKNOWLEDGED
    return str(case.stage)


@dataclass(frozen=True)
class _Refusal:
    """Why a typed code did not open the report: the status, the field, the message."""

    status: int
    message: str
    field: str | None = None


@sensitive_variables()
def _open_by_receipt(request: HttpRequest, typed: str) -> ReporterAccess | _Refusal:
    """The report this code opens, within the attempt limit.

    Unknown and wrong codes are refused alike, by design.
    """
    if limits.blocked(request, "receipt"):
        return _Refusal(429, _("Too many attempts. Please wait a few minutes and try again."))
    try:
        normalize_receipt(typed)
    except InvalidReceipt:
        return _Refusal(
            400,
            _("A follow-up code has 28 digits. Please check that you typed all of them."),
            field="receipt",
        )
    limits.count(request, "receipt")
    try:
        candidates = stretch_for_follow_up(typed)
        access = open_for_reporter_by_keys(candidates)
        # Found under an older parameter set: re-derive under the current one now.
        do_upgrade_receipt(access, candidates[0])
        return access
    except StretchBusy:
        # 429, not 503: a flood must not fill the error log either.
        return _Refusal(429, _("The service is very busy. Please try again in a minute."))
    except (NoAccess, InvalidReceipt):
        return _Refusal(
            400,
            _(
                "No report matches this code. Please check it and try again: a "
                "follow-up code has 28 digits."
            ),
        )


@sensitive_variables()
def _enter(
    request: HttpRequest, access: ReporterAccess, pending: MessageForm | None
) -> HttpResponse | _Refusal:
    """Send the message kept while the session had run out, then start the session."""
    response = redirect("intake:follow_up_case")
    try:
        if pending is not None:
            do_reporter_message(access.opened, text=pending.cleaned_data["text"], files=[])
            limits.count(request, "submission")
            messages.success(request, _("Your message has been sent to the desk."))
    except DatabaseError as error:
        logger.error("reporter message not saved: %s", type(error).__name__)
        return _Refusal(
            503,
            _(
                "Your message could not be saved because of a problem on our "
                "side. Nothing was stored. Please try again in a few minutes."
            ),
        )
    audit_reporter_visit(access.opened)
    reporter_session.start(request, response, access)
    return response


@sensitive_post_parameters()
@sensitive_variables()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    """Type the code, open the report.

    A message written while the follow-up session ran out arrives here with
    the code (field "text"): it is sent as soon as the code opens the report.
    """
    form = ReceiptForm(request.POST or None)
    pending = MessageForm(request.POST) if request.POST.get("text") else None
    status = 200
    if request.method == "POST" and form.is_valid() and (pending is None or pending.is_valid()):
        access = _open_by_receipt(request, form.cleaned_data["receipt"])
        entered = access if isinstance(access, _Refusal) else _enter(request, access, pending)
        if not isinstance(entered, _Refusal):
            return entered
        status = entered.status
        form.add_error(entered.field, entered.message)
    # Never echo a typed code back into the page.
    if form.is_bound:
        form.data = without(form.data, "receipt")
    return render(
        request, "intake/follow_up.html", {"form": form, "pending": pending}, status=status
    )


def _open_reporter_case(request: HttpRequest) -> OpenCase | None:
    try:
        return reporter_session.open_case(request)
    except reporter_session.NoReporterSession:
        return None


def _session_ended(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Your follow-up session has ended. Please type your code again."))
    return redirect("intake:follow_up")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up_case(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        encrypt_uploads(request)
    response = _follow_up_case(request)
    if request.method == "POST" and request.FILES and response.status_code in (400, 403):
        limits.count(request, "submission")  # as for a report: see submission.report
    return response


@sensitive_post_parameters()
@sensitive_variables()
def _follow_up_case(request: HttpRequest) -> HttpResponse:
    uploads: list[EncryptedUpload] = []
    try:
        opened = _open_reporter_case(request)
        if opened is None:
            if request.method != "POST":
                return _session_ended(request)
            # The session ran out while they were writing: keep the message,
            # ask for the code, send it then.
            uploads = uploads_of(request)
            if csrf_rejected(request) and not from_our_own_page(request):
                return core_views.csrf_failure(request)
            return render(
                request,
                "intake/follow_up.html",
                {
                    "form": ReceiptForm(),
                    "pending": kept(MessageForm(request.POST)),
                    "files_to_reattach": names_of(uploads),
                },
                status=403,
            )
        form = MessageForm()
        problem = ""
        file_errors: list[str] = []
        names: list[str] = []
        status = 200
        if request.method == "POST":
            uploads = uploads_of(request)
            names = names_of(uploads)
            status = 400
            if csrf_rejected(request):
                if not from_our_own_page(request):
                    return core_views.csrf_failure(request)
                form = kept(MessageForm(request.POST))
                problem = _(
                    "For your protection, this page had to be refreshed before your message "
                    "could be sent. Nothing was sent yet. Please send it again."
                )
                status = 403
            elif limits.blocked(request, "submission"):
                form = kept(MessageForm(request.POST))
                problem = _(
                    "The desk is receiving an unusual number of messages right now, so yours "
                    "has not been sent yet. Please wait a few minutes and send it again."
                )
                status = 429
            else:
                form = MessageForm(request.POST)
                form_ok = form.is_valid()
                missing = file_parts_missing(request)
                if form_ok:
                    files = check_files(uploads, missing=missing)
                else:
                    files = FileCheck([], missing_errors(missing), names)
                if form_ok and not files.errors:
                    try:
                        do_reporter_message(
                            opened, text=form.cleaned_data["text"], files=files.prepared
                        )
                    except (DatabaseError, OSError) as error:
                        # Also a full or read-only files folder: nothing half-written stays.
                        logger.error("reporter message not saved: %s", type(error).__name__)
                        problem = _(
                            "Your message could not be saved because of a problem on our side. "
                            "Nothing was stored. Please try again in a few minutes."
                        )
                        status = 503
                    else:
                        limits.count(request, "submission")
                        messages.success(request, _("Your message has been sent to the desk."))
                        return redirect("intake:follow_up_case")
                else:
                    file_errors = files.errors
                    problem = _(
                        "Your message has not been sent yet. Please correct what is marked below."
                    )
        return _case_page(
            request,
            opened,
            form=form,
            problem=problem,
            file_errors=file_errors,
            files_to_reattach=names if status != 200 else [],
            status=status,
        )
    finally:
        discard(uploads)


def _case_page(
    request: HttpRequest,
    opened: OpenCase,
    *,
    form: MessageForm,
    problem: str,
    file_errors: list[str],
    files_to_reattach: list[str],
    status: int,
) -> HttpResponse:
    case = opened.case
    attachments = list(Attachment.objects.filter(case=case).order_by("id"))
    files_by_message: dict[int | None, list[dict[str, Any]]] = {}
    for attachment in attachments:
        meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
        files_by_message.setdefault(attachment.message_id, []).append(
            {
                "public_id": attachment.public_id,
                "name": meta.get("name", ""),
                "size": meta.get("size", 0),
            }
        )
    conversation = [
        {
            "from_desk": message.sender == Sender.DESK,
            "sent_on": message.sent_on,
            "text": opened.decrypt_text(message.body, message.aad_field()),
            "files": files_by_message.get(message.pk, []),
            "new": message.sender == Sender.DESK and not message.read_by_reporter,
        }
        for message in Message.objects.filter(case=case).order_by("id")
    ]
    if request.method == "GET":
        do_mark_read_by_reporter(opened)
    context = {
        "case": case,
        "status_text": STATUS_TEXT.get(Stage(_stage_as_seen(case, conversation)), ""),
        "can_complete": needs_completion(case.questionnaire_version, opened),
        # What the apps above intake add: support, choices, deletion.
        "added": reporter_sections.rendered(request, opened),
        "urgent": case.urgency == Urgency.URGENT,
        "sections": q.labelled_answers(case.questionnaire_version, opened.answers()),
        "report_files": files_by_message.get(None, []),
        "conversation": conversation,
        "form": form,
        "problem": problem,
        "summary": error_summary(form) if problem else [],
        "file_errors": file_errors,
        "files_to_reattach": files_to_reattach,
        "max_files": max_files(),
        "max_file_mib": max_file_bytes() // (1024 * 1024),
        "texts": desk_texts(),
    }
    return render(request, "intake/case.html", context, status=status)


@never_cache
@require_GET
def follow_up_file(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """One of the report's files, decrypted for its reporter."""
    opened = _open_reporter_case(request)
    if opened is None:
        return _session_ended(request)
    attachment = Attachment.objects.filter(case=opened.case, public_id=public_id).first()
    if attachment is None:
        raise Http404
    response = file_response(opened, attachment)
    if response is None:
        # Nothing of a damaged file is sent; the error is logged without its content.
        return core_views.server_error(request)
    audit_reporter_download(opened, attachment)
    return response


@require_POST
@csrf_protect
def follow_up_leave(request: HttpRequest) -> HttpResponse:
    response = redirect("intake:follow_up")
    reporter_session.end(request, response)
    messages.info(
        request, _("You have left your report. Nobody can open it again without the code.")
    )
    return response


# --- The full form, later, after the short urgent one -------------------------


def needs_completion(version: str, opened: OpenCase) -> bool:
    """A report sent with the short urgent form whose full form is still unanswered."""
    definition = q.by_version(version)
    block = q.urgent_block(definition)
    if definition is None or block is None:
        return False
    answers = opened.answers()
    urgent_ids = {question["id"] for question in block["questions"]}
    return bool(set(answers) & urgent_ids) and not any(
        question["id"] in answers for question in q.questions(definition)
    )


@sensitive_post_parameters()
@sensitive_variables()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up_complete(request: HttpRequest) -> HttpResponse:
    """The full report form for a report sent urgently, answered when the person can."""
    opened = _open_reporter_case(request)
    if opened is None:
        return _session_ended(request)
    case = opened.case
    definition = q.by_version(case.questionnaire_version)
    if definition is None or not needs_completion(case.questionnaire_version, opened):
        return redirect("intake:follow_up_case")
    language = q.language_code()
    form = ReportForm(definition, language, data=request.POST or None, mode=ReportForm.COMPLETE)
    status = 200
    problem = ""
    if request.method == "POST":
        status = 400
        form_ok = form.is_valid() and not form.cleaned_data.get("website")
        if form_ok:
            try:
                do_complete_report(opened, form.answers())
            except DatabaseError as error:
                logger.error("completed report not saved: %s", type(error).__name__)
                status = 503
                problem = _(
                    "Your report could not be saved because of a problem on our side. Nothing was "
                    "stored. What you wrote is kept below: please try again in a few minutes."
                )
            else:
                messages.success(request, _("The rest of your report has been sent to the desk."))
                return redirect("intake:follow_up_case")
        else:
            problem = _(
                "Your report has not been sent yet. Please correct what is marked below; "
                "everything you wrote is kept."
            )
    return render(
        request,
        "intake/complete.html",
        {
            "case": case,
            "form": form,
            "problem": problem,
            "title": q.tr(definition["title"], language),
        },
        status=status,
    )
