"""The desk's pages: inbox, case page and its forms, attachments, coding,
search, and entering a report on someone's behalf.

Every view reaches a case through ``amparo.cases.access`` (the same 404 for
a case that is missing and one the person may not see), decrypts only
inside the request with the person's own key, and audits what it shows.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast, Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from amparo.accounts import keyring
from amparo.accounts.access import staff_required
from amparo.accounts.models import Role, User
from amparo.cases import answers as answer_text
from amparo.cases import forms as desk_forms
from amparo.cases.access import (
    access_attachment_by_public_id,
    access_case_by_public_id,
    visible_case_by_reference,
    visible_cases,
)
from amparo.cases.actions import (
    CaseError,
    CodingValues,
    ConsentChoice,
    assignable_handlers,
    audit_case_read,
    audit_download,
    audit_search,
    do_add_message,
    do_add_note,
    do_assign,
    do_change_stage,
    do_code_case,
    do_enter_on_behalf,
    do_link_cases,
    do_mark_read,
)
from amparo.cases.files import iter_plaintext
from amparo.cases.models import (
    Attachment,
    Case,
    CaseLink,
    Coding,
    Message,
    Sender,
    Stage,
    Urgency,
)
from amparo.cases.search import search_cases
from amparo.cases.vault import NoAccess, OpenCase, open_for_staff
from amparo.cases.workflow import FINISHED_STAGES, REQUIREMENT_HELP, is_allegation, transitions_from
from amparo.crypto import DecryptionError
from amparo.reference import api as reference

logger = logging.getLogger("amparo.cases")

PER_PAGE = 50
DESK = staff_required(Role.HANDLER, Role.COORDINATOR)
# Images a browser may show inline. Never SVG: it can carry script.
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# A decrypted file is served in a sandbox that can do nothing, from nowhere.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _sign_in_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Please sign in again to unlock the cases."))
    return redirect_to_login(request.get_full_path())


def _open(request: HttpRequest, case: Case) -> OpenCase:
    """The case with its data key, through the person's own sealed copy.

    Raises KeyUnavailable (sign in again) or Http404 (no copy: as if missing).
    """
    private_key = keyring.private_key(request)
    try:
        return open_for_staff(case, request.user, private_key)
    except NoAccess:
        raise Http404 from None


# --- Inbox ---------------------------------------------------------------------------


@DESK
@require_safe
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """The cases this person may see, urgent first; nothing here is decrypted.

    The number of queries is the same whatever the number of cases shown:
    the unread count is a subquery and the assignee is joined.
    """
    user = _user(request)
    handlers = assignable_handlers() if user.is_coordinator else None
    form = desk_forms.InboxFilterForm(request.GET or None, handlers=handlers)
    unread = (
        Message.objects.filter(case=OuterRef("pk"), sender=Sender.REPORTER, read_by_desk=False)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cases = (
        visible_cases(user)
        .select_related("assignee")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            is_urgent=ExpressionWrapper(Q(urgency=Urgency.URGENT), output_field=BooleanField()),
        )
    )
    if form.is_bound and not form.is_valid():
        # An invalid filter shows nothing rather than everything, so a typo
        # never looks like "these are all the cases".
        cases = cases.none()
    stage = form.value("stage") or desk_forms.OPEN
    if stage == desk_forms.OPEN:
        cases = cases.exclude(stage__in=FINISHED_STAGES)
    elif stage != desk_forms.ALL:
        cases = cases.filter(stage=stage)
    if urgency := form.value("urgency"):
        cases = cases.filter(urgency=urgency)
    assignee = form.value("assignee")
    if assignee == desk_forms.ME:
        cases = cases.filter(assignee=user)
    elif assignee == desk_forms.NOBODY:
        cases = cases.filter(assignee__isnull=True)
    elif assignee:
        cases = cases.filter(assignee_id=int(assignee))
    if situation := form.value("situation"):
        cases = cases.filter(coding__situation=situation)
    if country := form.value("country"):
        cases = cases.filter(coding__country=country)
    if reprisal_type := form.value("reprisal_type"):
        # JSON "contains" does not exist on SQLite; the codes are slugs, so a
        # quoted match on the list's text form is exact on both databases.
        cases = cases.annotate(
            reprisal_text=Cast("coding__reprisal_types", output_field=TextField())
        ).filter(reprisal_text__contains=f'"{reprisal_type}"')
    sort = form.value("sort") or "priority"
    page = Paginator(cases.order_by(*desk_forms.SORTS[sort]), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/inbox.html",
        {"form": form, "page": page, "filtered": bool(request.GET.dict().keys() - {"page"})},
    )


# --- Case page ------------------------------------------------------------------------


def _link_rows(user: User, case: Case) -> list[dict[str, Any]]:
    links = CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).select_related(
        "from_case", "to_case"
    )
    visible = set(
        visible_cases(user)
        .filter(Q(links__to_case=case) | Q(pk__in=links.values("to_case")))
        .values_list("pk", flat=True)
    )
    rows = []
    for link in links:
        other = link.to_case if link.from_case_id == case.pk else link.from_case
        if link.kind == CaseLink.Kind.DUPLICATE:
            kind = _("Duplicate of") if link.from_case_id == case.pk else _("Duplicated by")
        else:
            kind = _("Related case")
        rows.append({"kind": kind, "case": other, "visible": other.pk in visible})
    return rows


def _render_case(
    request: HttpRequest,
    case: Case,
    opened: OpenCase,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Decrypt and show the case; every showing is audited as a read."""
    user = _user(request)
    bound = bound or {}
    initial = {"version": case.version}

    conversation = []
    unread_ids = set()
    for message in case.messages.select_related("author"):
        if message.sender == Sender.REPORTER and not message.read_by_desk:
            unread_ids.add(message.pk)
        conversation.append(
            {
                "message": message,
                "text": opened.decrypt_text(message.body, message.aad_field()),
                "new": message.pk in unread_ids,
            }
        )
    # The reporter's messages count as read once the handler in charge has
    # seen them (a coordinator looking over a handler's case does not clear
    # that handler's "new" marks); with no one in charge, anyone at the desk.
    if unread_ids and case.assignee_id in (None, user.pk):
        do_mark_read(case)

    attachments = []
    for attachment in case.attachments.all():
        meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
        attachments.append(
            {
                "attachment": attachment,
                "name": meta.get("name") or _("(no name)"),
                "content_type": meta.get("content_type", ""),
                "size": meta.get("size", 0),
                "sha256": meta.get("sha256", ""),
                "scrubbed": meta.get("scrubbed", False),
                "previewable": meta.get("content_type") in PREVIEW_TYPES,
            }
        )
    notes = [
        {"note": note, "text": opened.decrypt_text(note.body, note.aad_field())}
        for note in case.notes.select_related("author")
    ]
    history = [
        {
            "change": change,
            "reason": opened.decrypt_text(change.reason, change.aad_field())
            if change.reason
            else "",
        }
        for change in case.stage_changes.select_related("actor")
    ]
    transitions = transitions_from(case.stage, is_coordinator=user.is_coordinator)
    handlers = assignable_handlers() if user.is_coordinator else []
    coding = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()

    context = {
        "case": case,
        "sections": answer_text.labelled(case.questionnaire_version, opened.answers()),
        "conversation": conversation,
        "attachments": attachments,
        "notes": notes,
        "history": history,
        "links": _link_rows(user, case),
        "transitions": transitions,
        "needs_reason": any(t.needs_reason for t in transitions),
        "needs_original": any(t.needs_original for t in transitions),
        "offers_follow_up": any(t.offers_follow_up for t in transitions),
        "requirement_help": REQUIREMENT_HELP,
        "allegation": is_allegation(case.stage),
        "coding": _coding_summary(coding),
        "message_form": bound.get("message") or desk_forms.MessageForm(initial=initial),
        "note_form": bound.get("note") or desk_forms.NoteForm(initial=initial),
        "stage_form": bound.get("stage") or desk_forms.StageForm(initial=initial),
        "link_form": bound.get("link") or desk_forms.LinkForm(initial=initial),
        "assign_form": (
            bound.get("assign")
            or desk_forms.AssignForm(
                initial={**initial, "assignee": case.assignee_id}, handlers=handlers
            )
        )
        if user.is_coordinator
        else None,
    }
    audit_case_read(user, case)
    return render(request, "cases/detail.html", context, status=status)


def _coding_summary(coding: Coding | None) -> list[tuple[str, str]]:
    """The coding as (label, value) pairs in the reader's language."""
    if coding is None:
        return []
    pairs: list[tuple[str, str]] = []

    def add(label: str, values: list[str]) -> None:
        if values:
            pairs.append((label, ", ".join(values)))

    add(
        _("Types of reprisal"),
        [reference.term_label("reprisal_type", c) for c in coding.reprisal_types],
    )
    add(
        _("Who was targeted"),
        [reference.term_label("target", coding.target)] if coding.target else [],
    )
    add(
        _("Defender profile"),
        [reference.term_label("defender_profile", c) for c in coding.defender_profiles],
    )
    add(
        _("Engagement with the Rome Statute system"),
        [reference.term_label("engagement", c) for c in coding.engagement],
    )
    add(
        _("Perpetrators"),
        [
            " · ".join(
                label
                for label in (
                    reference.term_label("perpetrator", p.perpetrator),
                    reference.term_label("involvement", p.involvement) if p.involvement else "",
                    reference.term_label("confidence", p.confidence) if p.confidence else "",
                )
                if label
            )
            for p in coding.perpetrators.all()
        ],
    )
    add(
        _("ICC situation"), [reference.situation_name(coding.situation)] if coding.situation else []
    )
    add(_("Country"), [reference.country_name(coding.country)] if coding.country else [])
    add(_("Region"), [reference.region_label(coding.region)] if coding.region else [])
    add(_("Month"), [coding.month.strftime("%Y-%m")] if coding.month else [])
    return pairs


@DESK
@require_safe
@never_cache
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = _open(request, case)
    except keyring.KeyUnavailable:
        return _sign_in_again(request)
    return _render_case(request, case, opened)


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
    "already_linked": lambda: _("These cases are already linked. Nothing was changed."),
    "link_not_found": lambda: _(
        "There is no case with that reference that you can see. Nothing was changed."
    ),
}
STATUS = {"stale": 409}


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
    return _render_case(request, case, opened, bound={name: form}, status=STATUS.get(code, 400))


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", args=[case.public_id]) + (f"#{anchor}" if anchor else "")


def _post_prelude(request: HttpRequest, public_id: str) -> tuple[Case, OpenCase] | HttpResponse:
    case = access_case_by_public_id(request.user, public_id)
    try:
        return case, _open(request, case)
    except keyring.KeyUnavailable:
        return _sign_in_again(request)


def _invalid(
    request: HttpRequest, case: Case, opened: OpenCase, name: str, form: Any
) -> HttpResponse:
    return _render_case(request, case, opened, bound={name: form}, status=400)


@DESK
@require_POST
def send_message(request: HttpRequest, public_id: str) -> HttpResponse:
    prelude = _post_prelude(request, public_id)
    if isinstance(prelude, HttpResponse):
        return prelude
    case, opened = prelude
    form = desk_forms.MessageForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, opened, "message", form)
    try:
        do_add_message(
            opened,
            sender=Sender.DESK,
            text=form.cleaned_data["text"],
            author=_user(request),
            expected_version=form.cleaned_data["version"],
        )
    except CaseError as error:
        return _refused(request, case, opened, "message", desk_forms.MessageForm, error.code)
    messages.success(request, _("Your message was sent. The reporter sees it with their code."))
    return redirect(_case_url(case, "conversation"))


@DESK
@require_POST
def add_note(request: HttpRequest, public_id: str) -> HttpResponse:
    prelude = _post_prelude(request, public_id)
    if isinstance(prelude, HttpResponse):
        return prelude
    case, opened = prelude
    form = desk_forms.NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, opened, "note", form)
    try:
        do_add_note(
            opened,
            _user(request),
            form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
        )
    except CaseError as error:
        return _refused(request, case, opened, "note", desk_forms.NoteForm, error.code)
    messages.success(request, _("Note added."))
    return redirect(_case_url(case, "notes"))


@DESK
@require_POST
def change_stage(request: HttpRequest, public_id: str) -> HttpResponse:
    prelude = _post_prelude(request, public_id)
    if isinstance(prelude, HttpResponse):
        return prelude
    case, opened = prelude
    form = desk_forms.StageForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, opened, "stage", form)
    data = form.cleaned_data
    user = _user(request)
    original = None
    try:
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
    except CaseError as error:
        return _refused(request, case, opened, "stage", desk_forms.StageForm, error.code)
    messages.success(
        request,
        _("The case is now at the stage “%(stage)s”.") % {"stage": Stage(data["to"]).label},
    )
    return redirect(_case_url(case, "workflow"))


@DESK
@require_POST
def assign(request: HttpRequest, public_id: str) -> HttpResponse:
    prelude = _post_prelude(request, public_id)
    if isinstance(prelude, HttpResponse):
        return prelude
    case, opened = prelude
    user = _user(request)
    if not user.is_coordinator:
        raise PermissionDenied
    handlers = assignable_handlers()
    form = desk_forms.AssignForm(request.POST, handlers=handlers)
    if not form.is_valid():
        return _invalid(request, case, opened, "assign", form)
    assignee = None
    try:
        if form.cleaned_data["assignee"] is not None:
            assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first()
            if assignee is None:
                raise CaseError("not_a_handler")
        do_assign(
            user,
            keyring.private_key(request),
            case,
            assignee,
            expected_version=form.cleaned_data["version"],
        )
    except CaseError as error:
        return _refused(
            request, case, opened, "assign", desk_forms.AssignForm, error.code, handlers=handlers
        )
    except keyring.KeyUnavailable:
        return _sign_in_again(request)
    if assignee is None:
        messages.success(request, _("The case is no longer assigned to anyone."))
    else:
        messages.success(
            request,
            _("The case is now assigned to %(name)s.")
            % {"name": assignee.get_full_name() or assignee.username},
        )
    return redirect(_case_url(case, "assignment"))


@DESK
@require_POST
def link(request: HttpRequest, public_id: str) -> HttpResponse:
    prelude = _post_prelude(request, public_id)
    if isinstance(prelude, HttpResponse):
        return prelude
    case, opened = prelude
    form = desk_forms.LinkForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case, opened, "link", form)
    user = _user(request)
    try:
        other = visible_case_by_reference(user, form.cleaned_data["reference"])
        if other is None:
            raise CaseError("link_not_found")
        do_link_cases(user, case, other, expected_version=form.cleaned_data["version"])
    except CaseError as error:
        return _refused(request, case, opened, "link", desk_forms.LinkForm, error.code)
    messages.success(request, _("The cases are now linked."))
    return redirect(_case_url(case, "links"))


# --- Attachments ----------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str) -> str:
    """A decrypted file name made harmless for a Content-Disposition header and a disk.

    No path parts, control or reserved characters, no leading dots (hidden
    files), no bidi overrides that disguise an extension; at most 150 characters.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "attachment"


def _file_response(
    request: HttpRequest, public_id: str, attachment_id: str, *, inline: bool
) -> HttpResponseBase:
    case, attachment = access_attachment_by_public_id(request.user, public_id, attachment_id)
    try:
        opened = _open(request, case)
    except keyring.KeyUnavailable:
        return _sign_in_again(request)
    meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
    content_type = str(meta.get("content_type", ""))
    if inline and content_type not in PREVIEW_TYPES:
        raise Http404
    chunks = _checked_stream(opened, attachment)
    if chunks is None:
        return render(request, "cases/file_damaged.html", {"case": case}, status=500)
    audit_download(_user(request), case, attachment.public_id, inline=inline)
    response = StreamingHttpResponse(
        chunks, content_type=content_type if inline else "application/octet-stream"
    )
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=not inline, filename=safe_filename(str(meta.get("name", "")))
        )
        or "attachment"
    )
    if isinstance(meta.get("size"), int):
        # With the length announced, a browser knows a download cut short by
        # a damaged file (detected only at the end of the stream) is incomplete.
        response["Content-Length"] = str(meta["size"])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "no-store"
    return response


def _checked_stream(opened: OpenCase, attachment: Attachment) -> Iterator[bytes] | None:
    """The decrypted chunks, with the first one already checked; None if it fails.

    A file truncated or altered further on still fails only when the stream
    reaches that point: the download then stops short of its Content-Length.
    """
    stream = iter_plaintext(opened, attachment)
    try:
        first = next(stream, b"")
    except (DecryptionError, OSError):
        logger.error("attachment %s could not be decrypted", attachment.public_id)
        return None
    return _logged(itertools.chain([first], stream), attachment.public_id)


def _logged(chunks: Iterator[bytes], public_id: str) -> Iterator[bytes]:
    try:
        yield from chunks
    except DecryptionError:
        logger.error("attachment %s failed part way through", public_id)
        raise


@DESK
@require_safe
def download(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    # cast: staff_required is typed for HttpResponse; a streaming one works alike.
    return cast(HttpResponse, _file_response(request, public_id, attachment_id, inline=False))


@DESK
@require_safe
def preview(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    return cast(HttpResponse, _file_response(request, public_id, attachment_id, inline=True))


# --- Coding ---------------------------------------------------------------------------


def _coding_current(coding: Coding | None) -> dict[str, Any]:
    if coding is None:
        return {}
    derived = reference.region_for(coding.country) if coding.country else ""
    return {
        "reprisal_types": coding.reprisal_types,
        "target": coding.target,
        "defender_profiles": coding.defender_profiles,
        "engagement": coding.engagement,
        "situation": coding.situation,
        "country": coding.country,
        # Shown as "from the country" unless it was overridden.
        "region": "" if coding.region == derived else coding.region,
        "month": coding.month.strftime("%Y-%m") if coding.month else "",
        "version": coding.version,
    }


def _saved_rows(coding: Coding | None) -> list[dict[str, str]]:
    if coding is None:
        return []
    return [
        {"perpetrator": p.perpetrator, "involvement": p.involvement, "confidence": p.confidence}
        for p in coding.perpetrators.all()
    ]


@DESK
@require_http_methods(["GET", "POST"])
@never_cache
def coding(request: HttpRequest, public_id: str) -> HttpResponse:
    """The case's coding: the only case data kept in clear, for statistics."""
    case = access_case_by_public_id(request.user, public_id)
    current = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()
    initial = _coding_current(current)
    status = 200
    meanwhile: list[tuple[str, str]] | None = None
    if request.method != "POST":
        form = desk_forms.CodingForm(initial=initial, current=initial)
        rows = desk_forms.perpetrator_formset(initial=_saved_rows(current))
    else:
        form = desk_forms.CodingForm(request.POST, current=initial)
        add_row = "add_perpetrator" in request.POST
        rows = desk_forms.perpetrator_formset(request.POST, add_row=add_row)
        if not add_row and form.is_valid() and rows.is_valid():
            data = form.cleaned_data
            values = CodingValues(
                reprisal_types=data["reprisal_types"],
                target=data["target"],
                defender_profiles=data["defender_profiles"],
                situation=data["situation"],
                engagement=data["engagement"],
                country=data["country"],
                region=data["region"],
                month=data["month"],
                perpetrators=[
                    (row["perpetrator"], row["involvement"], row["confidence"])
                    for row in rows.cleaned_data
                    if row.get("perpetrator")
                ],
            )
            try:
                do_code_case(_user(request), case, values, expected_version=data["version"])
            except CaseError:
                # Never overwrite silently: show what was saved meanwhile next
                # to this person's own choices, which now carry the new version,
                # so saving again is a deliberate decision.
                messages.error(
                    request,
                    _(
                        "Someone else saved this coding while you were editing it. Nothing "
                        "was saved. Compare their coding (shown first) with your choices "
                        "below, then save again if yours should replace it."
                    ),
                )
                current = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()
                meanwhile = _coding_summary(current)
                data_copy = request.POST.copy()
                data_copy["version"] = str(current.version) if current else ""
                form = desk_forms.CodingForm(data_copy, current=_coding_current(current))
                rows = desk_forms.perpetrator_formset(data_copy)
                status = 409
            else:
                messages.success(request, _("The coding is saved."))
                return redirect("cases:coding", public_id=case.public_id)
        elif not add_row:
            status = 400
    return render(
        request,
        "cases/coding.html",
        {"case": case, "form": form, "rows": rows, "meanwhile": meanwhile},
        status=status,
    )


# --- Search ---------------------------------------------------------------------------


@DESK
@require_safe
@never_cache
def search(request: HttpRequest) -> HttpResponse:
    form = desk_forms.SearchForm(request.GET or None)
    outcome = None
    if form.is_bound and form.is_valid():
        try:
            private_key = keyring.private_key(request)
        except keyring.KeyUnavailable:
            return _sign_in_again(request)
        user = _user(request)
        outcome = search_cases(user, private_key, form.cleaned_data["q"])
        audit_search(user, searched=outcome.searched, found=outcome.found)
    return render(request, "cases/search.html", {"form": form, "outcome": outcome})


# --- Entering a report on someone's behalf ---------------------------------------------


@DESK
@require_http_methods(["GET", "POST"])
@never_cache
def enter(request: HttpRequest) -> HttpResponse:
    """A report taken by phone or in person, entered by the handler who took it."""
    version, questions = answer_text.answer_fields(answer_text.current_definition())
    form = desk_forms.EnterCaseForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        user = _user(request)
        data = form.cleaned_data
        wording = f"desk-entry/{version}"
        consents = [ConsentChoice("store", True, wording)]
        consents += [
            ConsentChoice(scope, bool(data[f"consent_{scope}"]), wording)
            for scope in ("contact", "statistics")
        ]
        try:
            created = do_enter_on_behalf(
                user,
                answers=form.answers(),
                language=data["language"],
                questionnaire_version=version,
                urgency=data["urgency"],
                consents=consents,
                with_receipt=data["wants_receipt"],
            )
        except CaseError as error:
            form.add_error(None, ERRORS[error.code]())
        else:
            if created.receipt:
                # Shown on this response only, never stored or sent anywhere.
                return render(
                    request,
                    "cases/entered.html",
                    {"case": created.case, "receipt": created.receipt},
                )
            messages.success(
                request,
                _("Case %(reference)s was entered.") % {"reference": created.case.reference},
            )
            return redirect("cases:detail", public_id=created.case.public_id)
    return render(request, "cases/enter.html", {"form": form}, status=400 if form.errors else 200)
