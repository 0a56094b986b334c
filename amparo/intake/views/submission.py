"""The report form, the short urgent form, and the receipt."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from amparo.core import views as core_views
from amparo.crypto import generate_receipt
from amparo.intake import emergency, limits, receipt_page
from amparo.intake import questionnaire as q
from amparo.intake.actions import IntakeError, do_submit_report, token_used
from amparo.intake.desk_texts import desk_texts
from amparo.intake.filecheck import missing_errors
from amparo.intake.forms import ReportForm, make_token, read_token
from amparo.intake.stretching import SubmissionStretch
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
    form_max_age,
    from_our_own_page,
    kept,
    names_of,
    uploads_of,
    without,
)
from amparo.lib import process_cache

logger = logging.getLogger("amparo.intake")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    return _entry(request, ReportForm.FULL)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def danger(request: HttpRequest) -> HttpResponse:
    """ "I am in immediate danger": the emergency contacts first, then a short
    form (what is happening now, where, how to reach the person, consent)."""
    if q.urgent_block(q.current()) is None:
        # An administrator's questionnaire without an urgent form: the full
        # form, marked urgent, with the contacts shown as soon as it opens.
        return redirect(reverse("intake:report") + "?urgent=1")
    return _entry(request, ReportForm.URGENT)


def _entry(request: HttpRequest, mode: str) -> HttpResponse:
    if request.method == "POST":
        encrypt_uploads(request)
    response = _report(request, mode)
    if request.method == "POST" and request.FILES and response.status_code in (400, 403):
        # Receiving and checking files costs the server: a refused submission that carried
        # some counts toward the limits like a sent one, so that a flood of bad files
        # stops at the same place as a flood of reports.
        limits.count(request, "submission")
    return response


@sensitive_post_parameters()
@sensitive_variables()
def _report(request: HttpRequest, mode: str) -> HttpResponse:
    uploads: list[EncryptedUpload] = []
    try:
        if request.method == "POST":
            if csrf_rejected(request):
                if not from_our_own_page(request):
                    return core_views.csrf_failure(request)
                uploads = uploads_of(request)
                return _report_page(
                    request,
                    mode,
                    problem=_(
                        "For your protection, this page had to be refreshed before your report "
                        "could be sent. Nothing was sent yet. Please check what you wrote and "
                        "send it again."
                    ),
                    files_to_reattach=names_of(uploads),
                    status=403,
                )
            uploads = uploads_of(request)
            return _submit(request, uploads, mode)
        return _report_page(request, mode)
    finally:
        discard(uploads)


def _definition(version: str | None, mode: str) -> q.Definition:
    """The version named by the form's token, or the current one; the urgent
    form needs a version that has one."""
    definition = (q.by_version(version) if version else None) or q.current()
    if mode == ReportForm.URGENT and q.urgent_block(definition) is None:
        definition = q.current()
    return definition


def _report_page(
    request: HttpRequest,
    mode: str,
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
        definition = _definition(None, mode)
        if request.method == "POST":
            posted = read_token(request.POST.get("form_token", ""), form_max_age())
            if posted:
                token = request.POST["form_token"]
                definition = _definition(posted["v"], mode)
            form = kept(ReportForm(definition, language, data=request.POST, mode=mode))
        else:
            form = ReportForm(
                definition,
                language,
                initial={"urgent": request.GET.get("urgent") == "1"},
                mode=mode,
            )
    token = token or make_token(form.definition["version"])
    urgent_block = q.urgent_block(form.definition) or {}
    context = {
        "form": form,
        "urgent_title": q.tr(urgent_block.get("title"), language),
        "urgent_intro": q.tr(urgent_block.get("intro"), language),
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
    if mode == ReportForm.FULL and not form.is_bound:
        # The questions of an empty form are the same for every reporter: rendered once
        # per process, version and language (most of the page's cost: 250 countries).
        context["sections_html"] = process_cache.remember(
            ("report_sections", form.definition["version"], language),
            lambda: render_to_string("intake/_sections.html", {"form": form}),
        )
    if mode == ReportForm.URGENT:
        # Contacts for the country and profile chosen in the small GET filter.
        country = request.GET.get("country", "")[:2]
        profile = request.GET.get("profile", "")[:64]
        context["contacts"] = emergency.contacts_for(country, profile)
        context["filter_countries"], context["filter_profiles"] = emergency.filter_choices()
        context["chosen_country"], context["chosen_profile"] = country, profile
    else:
        context["contacts"] = emergency.contacts_for()
    template = "intake/danger.html" if mode == ReportForm.URGENT else "intake/report.html"
    return render(request, template, context, status=status)


def _submit(request: HttpRequest, uploads: list[EncryptedUpload], mode: str) -> HttpResponse:
    language = q.language_code()
    names = names_of(uploads)
    # Read what the error page may need while the database still answers.
    desk_texts()

    if limits.blocked(request, "submission"):
        return _report_page(
            request,
            mode,
            problem=_(
                "The desk is receiving an unusual number of reports right now, so yours has "
                "not been sent yet. What you wrote is kept below: please wait a few minutes "
                "and send it again."
            ),
            files_to_reattach=names,
            status=429,
        )
    posted = read_token(request.POST.get("form_token", ""), form_max_age())
    if posted is None or limits.token_spent(posted["n"]):
        # A token spent by a refused submission with files is as good as expired: a
        # replayed request is answered here, before any file is looked at.
        return _report_page(
            request,
            mode,
            problem=_(
                "This page was open for a long time, so it had to be renewed. Nothing was sent "
                "yet. Please check what you wrote and send it again."
            ),
            files_to_reattach=names,
            status=400,
        )
    token = request.POST["form_token"]
    definition = _definition(posted["v"], mode)
    form = ReportForm(definition, language, data=request.POST, mode=mode)
    form_ok = form.is_valid()
    if form.cleaned_data.get("website"):
        # Only robots see the honeypot. A person whose browser filled it in
        # keeps their text, and the field comes back empty so that sending
        # again works; a robot fills it again.
        form.add_error(None, _("Your report could not be sent. Please send it again."))
        form.data = without(form.data, "website")
        form_ok = False
    missing = file_parts_missing(request)
    if form_ok and token_used(posted["n"]):
        # Before any file is decoded or any receipt stretched: a replayed form costs little.
        return _already_sent(request)
    # The receipt is stretched while the sandbox's child scrubs the first file (once every
    # file passed the cheap checks): two cores at once, not one after the other.
    receipt = generate_receipt()
    stretch = SubmissionStretch(receipt)
    if form_ok:
        files = check_files(uploads, missing=missing, while_scrubbing=stretch.run)
    else:
        files = FileCheck([], missing_errors(missing), names)
    if not form_ok or files.errors:
        if uploads or missing:
            # The page comes back with a new token; this one cannot carry files again.
            limits.spend_token(posted["n"], form_max_age())
            token = ""
        return _report_page(
            request,
            mode,
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
    answers = form.answers()
    urgent = mode == ReportForm.URGENT or bool(form.cleaned_data.get("urgent"))
    lookup_id, wrapping_key = stretch.result()
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
    except (DatabaseError, OSError) as error:
        # A lost database, or a files folder that is full or read-only: the
        # transaction rolled back and the files written were removed. The
        # message may quote SQL parameters or paths: log only the type.
        logger.error("report not saved: %s", type(error).__name__)
        return _report_page(
            request,
            mode,
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
    page = {
        "reference": new.case.reference,
        "receipt": new.receipt,
        "urgent": urgent,
        "short": mode == ReportForm.URGENT,
        "country": str(answers.get("country", "")),
        "files": [{"name": f.name, "scrubbed": f.scrubbed} for f in files.prepared],
    }
    # The language links lead to the kept receipt page, not to an empty form.
    request.amparo_switch_path = reverse("intake:received")  # type: ignore[attr-defined]
    response = render(
        request,
        "intake/received.html",
        {**page, "texts": desk_texts(), "contacts": emergency.contacts_for(str(page["country"]))},
    )
    receipt_page.keep(request, response, page)
    return response


def _already_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/already_sent.html", status=409)
