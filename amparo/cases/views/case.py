"""The case page: the report, conversation, files, notes and history, decrypted."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases import answers as answer_text
from amparo.cases import forms as desk_forms
from amparo.cases import page_sections
from amparo.cases.access import access_case_by_public_id, visible_cases
from amparo.cases.actions.desk import do_mark_read
from amparo.cases.actions.keys import assignable_handlers
from amparo.cases.actions.reads import audit_case_read
from amparo.cases.downloads import PREVIEW_TYPES
from amparo.cases.models import Case, CaseLink, Coding, Sender
from amparo.cases.vault import OpenCase
from amparo.cases.views.common import DESK, open_case, sign_in_again, user_of
from amparo.cases.workflow import REQUIREMENT_HELP, is_allegation, transitions_from
from amparo.reference import api as reference
from amparo.reference.models import SESSION_WORDING, SessionMode, SessionTiming


def link_rows(user: User, case: Case) -> list[dict[str, Any]]:
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
        # A case the person cannot open is not named: even its reference
        # tells them something about another handler's work.
        shown = other.pk in visible
        rows.append({"kind": kind, "case": other if shown else None, "visible": shown})
    return rows


def render_case(
    request: HttpRequest,
    case: Case,
    opened: OpenCase,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Decrypt and show the case; every showing is audited as a read."""
    user = user_of(request)
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
    transitions = transitions_from(case.stage, is_coordinator=user.is_coordinator)
    handlers = assignable_handlers() if user.is_coordinator else []
    coding = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()

    context = {
        "case": case,
        # What the apps above cases show on the page (consent, protection),
        # each decrypting its own rows with the opened case.
        "page_sections": page_sections.rendered(request, opened),
        "sections": answer_text.labelled(case.questionnaire_version, opened.answers()),
        "conversation": conversation,
        "attachments": attachments,
        "notes": notes,
        "links": link_rows(user, case),
        # The original, if this person may open it: not another handler's
        # case, nor a shell kept for statistics after shredding.
        "original": visible_cases(user).filter(pk=case.duplicate_of_id).first()
        if case.duplicate_of_id
        else None,
        "transitions": transitions,
        "needs_reason": any(t.needs_reason for t in transitions),
        "needs_original": any(t.needs_original for t in transitions),
        "offers_follow_up": any(t.offers_follow_up for t in transitions),
        "requirement_help": REQUIREMENT_HELP,
        "allegation": is_allegation(case.stage),
        "coding": coding_summary(coding),
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


def coding_summary(coding: Coding | None) -> list[tuple[str, str]]:
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
    if coding.assembly_session:
        timing = dict(SessionTiming.choices).get(coding.assembly_timing, "")
        mode = dict(SessionMode.choices).get(coding.assembly_mode, "")
        add(
            str(SESSION_WORDING["legend"]),
            [
                reference.session_title(coding.assembly_session),
                *(str(t) for t in (timing, mode) if t),
            ],
        )
    return pairs


@DESK
@require_safe
@never_cache
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = access_case_by_public_id(request.user, public_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    return render_case(request, case, opened)
