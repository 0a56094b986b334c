"""The public side: landing page, report form, receipt, and the reporter's
follow-up. Everything works without JavaScript.

What a person typed is never lost to a refusal: every failure (bad input,
an expired page, a limit, a database outage) shows the form again with
what they wrote and a plain message. Files cannot be put back into a file
input by any browser, so the page names them and asks for them again.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.forms.utils import ErrorDict
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.audit.log import record
from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment, ConsentScope, Message, Sender, Stage, Urgency
from amparo.cases.vault import NoAccess, OpenCase, open_for_reporter
from amparo.consent import rules as consent_rules
from amparo.core import views as core_views
from amparo.crypto import DecryptionError, InvalidReceipt, generate_receipt, normalize_receipt
from amparo.intake import limits, reporter_session
from amparo.intake import questionnaire as q
from amparo.intake.actions import (
    IntakeError,
    PreparedFile,
    do_mark_read_by_reporter,
    do_reporter_message,
    do_submit_report,
    token_used,
)
from amparo.intake.desk_texts import desk_texts
from amparo.intake.forms import (
    MessageForm,
    ReceiptForm,
    ReportForm,
    error_summary,
    make_token,
    read_token,
)
from amparo.intake.scrub import RejectedFile, scrub_upload
from amparo.intake.stretching import StretchBusy, stretch_for_follow_up, stretch_for_submission
from amparo.intake.uploads import EncryptedUpload, EncryptedUploadHandler, max_file_bytes, max_files

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
        "The desk is keeping watch over your situation and may check in with you."
    ),
    Stage.CLOSED: gettext_lazy(
        "The desk has closed your report. You can still read it and write to the desk."
    ),
}


def _form_max_age() -> int:
    return settings.AMPARO_FORM_MAX_AGE_HOURS * 60 * 60


# --- Pages without forms -----------------------------------------------------------


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/landing.html", {"texts": desk_texts()})


@require_GET
def danger(request: HttpRequest) -> HttpResponse:
    """Emergency contacts at once, and a way to report marked urgent."""
    return render(request, "intake/danger.html", {"texts": desk_texts()})


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/thanks.html",
        {"texts": desk_texts(), "urgent": request.GET.get("urgent") == "1"},
    )


@never_cache
@require_GET
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave for the neutral site, ending any follow-up session on the way."""
    response = HttpResponseRedirect(settings.AMPARO_QUICK_EXIT_URL)
    if reporter_session.active(request):
        reporter_session.end(request, response)
    return response


# --- CSRF that keeps what was typed ------------------------------------------------


def _csrf_rejected(request: HttpRequest) -> bool:
    """Run Django's CSRF check by hand: the outer views are csrf_exempt so
    that the encrypted upload handler can be installed first."""

    def view(_request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
        return HttpResponse()

    middleware = CsrfViewMiddleware(view)
    return middleware.process_view(request, view, (), {}) is not None


def _from_our_own_page(request: HttpRequest) -> bool:
    """True when the browser says the form was sent from one of our pages.

    Browsers set Origin themselves and no other site can forge it, so a
    failed token check on such a request means an expired token or a lost
    cookie, not an attack: it is then safe to show the person's text again.
    """
    return request.META.get("HTTP_ORIGIN") == f"{request.scheme}://{request.get_host()}"


# --- Files ----------------------------------------------------------------------


@dataclass
class FileCheck:
    prepared: list[PreparedFile]
    errors: list[str]
    names: list[str]  # every file the person chose, to ask for them again


def _bytes_opener(data: bytes) -> Any:
    return lambda: io.BytesIO(data)


def check_files(uploads: list[EncryptedUpload]) -> FileCheck:
    """Scrub every stored upload; collect a plain message for each refused one."""
    limit_mib = max_file_bytes() // (1024 * 1024)
    check = FileCheck(prepared=[], errors=[], names=[])
    too_many = False
    for upload in uploads:
        name = upload.name or _("(a file without a name)")
        check.names.append(name)
        if upload.too_many:
            too_many = True
            continue
        if upload.too_large:
            check.errors.append(
                _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": limit_mib}
            )
            continue
        if upload.empty:
            check.errors.append(_("“%(name)s” is empty.") % {"name": name})
            continue
        try:
            with upload.open_plaintext() as stream:
                cleaned = scrub_upload(stream, max_bytes=max_file_bytes())
        except RejectedFile as rejected:
            check.errors.append(_file_refusal(rejected.code, name, limit_mib))
            continue
        except (ValueError, DecryptionError):
            check.errors.append(
                _("“%(name)s” could not be received completely. Please attach it again.")
                % {"name": name}
            )
            continue
        check.prepared.append(
            PreparedFile(
                name=safe_name(name, cleaned.extension),
                content_type=cleaned.content_type,
                scrubbed=cleaned.metadata_removed,
                open=_bytes_opener(cleaned.data),
            )
        )
    if too_many:
        check.errors.insert(
            0,
            _("You can attach at most %(count)d files to one message. Please leave some out.")
            % {"count": max_files()},
        )
    return check


def safe_name(name: str, extension: str) -> str:
    """The name with the extension of what the file really is.

    "invoice.pdf.exe" holding a JPEG becomes "invoice.pdf.jpg": whoever opens
    it at the desk gets what its content is, never what its name claimed.
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem = name
    elif suffix.lower() == extension or (suffix.lower(), extension) == ("jpeg", "jpg"):
        return name
    return f"{stem}.{extension}"


def _file_refusal(code: str, name: str, limit_mib: int) -> str:
    if code == "too_large":
        return _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": limit_mib}
    if code == "corrupt":
        return _("“%(name)s” seems to be damaged and cannot be read.") % {"name": name}
    return _(
        "“%(name)s” is not a type of file we can accept, whatever its name says. "
        "Photos, PDF and office documents, plain text, and audio or video recordings are "
        "accepted."
    ) % {"name": name}


def _uploads(request: HttpRequest) -> list[EncryptedUpload]:
    return [f for f in request.FILES.getlist("files") if isinstance(f, EncryptedUpload)]


def _names(uploads: list[EncryptedUpload]) -> list[str]:
    return [upload.name or "" for upload in uploads]


def _discard(uploads: list[EncryptedUpload]) -> None:
    for upload in uploads:
        upload.discard()


# --- The report form -------------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [EncryptedUploadHandler(request)]
    return _report(request)


@sensitive_post_parameters()
@sensitive_variables()
def _report(request: HttpRequest) -> HttpResponse:
    uploads: list[EncryptedUpload] = []
    try:
        if request.method == "POST":
            if _csrf_rejected(request):
                if not _from_our_own_page(request):
                    return core_views.csrf_failure(request)
                uploads = _uploads(request)
                return _report_page(
                    request,
                    problem=_(
                        "For your protection, this page had to be refreshed before your report "
                        "could be sent. Nothing was sent yet. Please check what you wrote and "
                        "send it again."
                    ),
                    files_to_reattach=_names(uploads),
                    status=403,
                )
            uploads = _uploads(request)
            return _submit(request, uploads)
        return _report_page(request)
    finally:
        _discard(uploads)


def _report_page(
    request: HttpRequest,
    *,
    form: ReportForm | None = None,
    problem: str = "",
    file_errors: list[str] | None = None,
    files_to_reattach: list[str] | None = None,
    status: int = 200,
    token: str = "",
) -> HttpResponse:
    language = q.language_code()
    if form is None:
        definition = q.current()
        if request.method == "POST":
            posted = read_token(request.POST.get("form_token", ""), _form_max_age())
            if posted:
                token = request.POST["form_token"]
                definition = q.by_version(posted["v"]) or definition
            form = _kept(ReportForm(definition, language, data=request.POST))
        else:
            form = ReportForm(
                definition, language, initial={"urgent": request.GET.get("urgent") == "1"}
            )
    token = token or make_token(form.definition["version"])
    context = {
        "form": form,
        "title": q.tr(form.definition["title"], language),
        "consent_intro": q.tr(form.definition["consent"]["intro"], language),
        "form_token": token,
        "problem": problem,
        "file_errors": file_errors or [],
        "files_to_reattach": files_to_reattach or [],
        "max_files": max_files(),
        "max_file_mib": max_file_bytes() // (1024 * 1024),
        "texts": desk_texts(),
    }
    return render(request, "intake/report.html", context, status=status)


def _without(data: Any, name: str) -> Any:
    """A copy of the posted data with one field emptied."""
    copy = data.copy()
    copy[name] = ""
    return copy


def _kept(form: Any) -> Any:
    """A bound form that shows the typed values but no errors (nothing was checked yet)."""
    form.is_valid()
    form._errors = ErrorDict()
    return form


def _submit(request: HttpRequest, uploads: list[EncryptedUpload]) -> HttpResponse:
    language = q.language_code()
    names = _names(uploads)
    # Read what the error page may need while the database still answers.
    desk_texts()

    if limits.blocked(request, "submission"):
        return _report_page(
            request,
            problem=_(
                "The desk is receiving an unusual number of reports right now, so yours has "
                "not been sent yet. What you wrote is kept below: please wait a few minutes "
                "and send it again."
            ),
            files_to_reattach=names,
            status=429,
        )
    posted = read_token(request.POST.get("form_token", ""), _form_max_age())
    if posted is None:
        return _report_page(
            request,
            problem=_(
                "This page was open for a long time, so it had to be renewed. Nothing was sent "
                "yet. Please check what you wrote and send it again."
            ),
            files_to_reattach=names,
            status=400,
        )
    token = request.POST["form_token"]
    definition = q.by_version(posted["v"]) or q.current()
    form = ReportForm(definition, language, data=request.POST)
    form_ok = form.is_valid()
    if form.cleaned_data.get("website"):
        # Only robots see the honeypot. A person whose browser filled it in
        # keeps their text, and the field comes back empty so that sending
        # again works; a robot fills it again.
        form.add_error(None, _("Your report could not be sent. Please send it again."))
        form.data = _without(form.data, "website")
        form_ok = False
    files = check_files(uploads) if form_ok else FileCheck([], [], names)
    if not form_ok or files.errors:
        return _report_page(
            request,
            form=form,
            problem=_(
                "Your report has not been sent yet. Please correct what is marked below; "
                "everything you wrote is kept."
            ),
            file_errors=files.errors,
            files_to_reattach=names,
            status=400,
            token=token,
        )
    if token_used(posted["n"]):
        return _already_sent(request)

    answers = form.answers()
    urgent = bool(form.cleaned_data.get("urgent"))
    receipt = generate_receipt()
    lookup_id, wrapping_key = stretch_for_submission(receipt)
    try:
        new = do_submit_report(
            answers=answers,
            language=language,
            questionnaire_version=definition["version"],
            urgent=urgent,
            consents=form.consents(),
            files=files.prepared,
            receipt_secrets=(receipt, lookup_id, wrapping_key),
            form_nonce=posted["n"],
            token_days=max(2, settings.AMPARO_FORM_MAX_AGE_HOURS // 24 + 1),
        )
    except IntakeError:
        return _already_sent(request)
    except DatabaseError as error:
        # The message may quote SQL parameters: log only the type.
        logger.error("report not saved: %s", type(error).__name__)
        return _report_page(
            request,
            form=form,
            problem=_(
                "Your report could not be saved because of a problem on our side. Nothing was "
                "stored. What you wrote is kept below: please try again in a few minutes."
            ),
            files_to_reattach=names,
            status=503,
            token=token,
        )
    limits.count(request, "submission")
    return render(
        request,
        "intake/received.html",
        {
            "reference": new.case.reference,
            "receipt": new.receipt,
            "urgent": urgent,
            "files": files.prepared,
            "texts": desk_texts(),
        },
    )


def _already_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/already_sent.html", status=409)


# --- Follow-up --------------------------------------------------------------------


@sensitive_post_parameters()
@sensitive_variables()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    """Type the code, open the report.

    A message written while the follow-up session ran out arrives here with
    the code (field "text"): it is sent as soon as the code opens the report.
    """
    form = ReceiptForm(request.POST or None)
    pending = MessageForm(request.POST) if request.POST.get("text") else None
    status = 200
    if request.method == "POST" and form.is_valid() and (pending is None or pending.is_valid()):
        status = 400
        typed = form.cleaned_data["receipt"]
        if limits.blocked(request, "receipt"):
            status = 429
            form.add_error(None, _("Too many attempts. Please wait a few minutes and try again."))
        else:
            try:
                normalize_receipt(typed)
            except InvalidReceipt:
                form.add_error(
                    "receipt",
                    _("A follow-up code has 28 digits. Please check that you typed all of them."),
                )
            else:
                limits.count(request, "receipt")
                try:
                    access = open_for_reporter(*stretch_for_follow_up(typed))
                except StretchBusy:
                    # 429, not 503: a flood must not fill the error log either.
                    status = 429
                    form.add_error(
                        None, _("The service is very busy. Please try again in a minute.")
                    )
                except (NoAccess, InvalidReceipt):
                    # Unknown and wrong codes are indistinguishable, by design.
                    form.add_error(
                        None,
                        _(
                            "No report matches this code. Please check it and try again: a "
                            "follow-up code has 28 digits."
                        ),
                    )
                else:
                    response = redirect("intake:follow_up_case")
                    try:
                        if pending is not None:
                            do_reporter_message(
                                access.opened, text=pending.cleaned_data["text"], files=[]
                            )
                            limits.count(request, "submission")
                            messages.success(request, _("Your message has been sent to the desk."))
                    except DatabaseError as error:
                        logger.error("reporter message not saved: %s", type(error).__name__)
                        status = 503
                        form.add_error(
                            None,
                            _(
                                "Your message could not be saved because of a problem on our "
                                "side. Nothing was stored. Please try again in a few minutes."
                            ),
                        )
                    else:
                        # The reporter came back: a read of the case, kept to the day.
                        record(
                            None,
                            "case_read",
                            target_type="case",
                            target_id=access.opened.case.public_id,
                            details={"by": "reporter"},
                        )
                        reporter_session.start(request, response, access)
                        return response
    # Never echo a typed code back into the page.
    if form.is_bound:
        form.data = _without(form.data, "receipt")
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
@require_http_methods(["GET", "POST"])
def follow_up_case(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [EncryptedUploadHandler(request)]
    return _follow_up_case(request)


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
            uploads = _uploads(request)
            if _csrf_rejected(request) and not _from_our_own_page(request):
                return core_views.csrf_failure(request)
            return render(
                request,
                "intake/follow_up.html",
                {
                    "form": ReceiptForm(),
                    "pending": _kept(MessageForm(request.POST)),
                    "files_to_reattach": _names(uploads),
                },
                status=403,
            )
        form = MessageForm()
        problem = ""
        file_errors: list[str] = []
        names: list[str] = []
        status = 200
        if request.method == "POST":
            uploads = _uploads(request)
            names = _names(uploads)
            status = 400
            if _csrf_rejected(request):
                if not _from_our_own_page(request):
                    return core_views.csrf_failure(request)
                form = _kept(MessageForm(request.POST))
                problem = _(
                    "For your protection, this page had to be refreshed before your message "
                    "could be sent. Nothing was sent yet. Please send it again."
                )
                status = 403
            elif limits.blocked(request, "submission"):
                form = _kept(MessageForm(request.POST))
                problem = _(
                    "The desk is receiving an unusual number of messages right now, so yours "
                    "has not been sent yet. Please wait a few minutes and send it again."
                )
                status = 429
            else:
                form = MessageForm(request.POST)
                form_ok = form.is_valid()
                files = check_files(uploads) if form_ok else FileCheck([], [], names)
                if form_ok and not files.errors:
                    try:
                        do_reporter_message(
                            opened, text=form.cleaned_data["text"], files=files.prepared
                        )
                    except DatabaseError as error:
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
        _discard(uploads)


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
    definition = q.by_version(case.questionnaire_version)
    consent_labels = {
        choice["scope"]: q.tr(choice["label"])
        for choice in (definition["consent"]["choices"] if definition else [])
    }
    # The current state (records are append-only: the latest per scope wins).
    consents = [
        (consent_labels.get(row.scope, ConsentScope(row.scope).label), row.granted)
        for row in consent_rules.current(case).scopes
        if row.record is not None
    ]
    context = {
        "case": case,
        "status_text": STATUS_TEXT.get(Stage(case.stage), ""),
        "urgent": case.urgency == Urgency.URGENT,
        "sections": q.labelled_answers(case.questionnaire_version, opened.answers()),
        "report_files": files_by_message.get(None, []),
        "consents": consents,
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
    meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
    record(
        None,
        "file_downloaded",
        target_type="case",
        target_id=opened.case.public_id,
        details={"by": "reporter", "attachment": attachment.public_id},
    )
    # Always a download, never shown inline: the browser must not interpret it.
    response = StreamingHttpResponse(
        iter_plaintext(opened, attachment), content_type="application/octet-stream"
    )
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=str(meta.get("name") or "file"))
        or "attachment"
    )
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
