"""The protection pages: assess a case, its assessment history, its plan's measures,
and what needs attention.

Like every desk page, they are behind ``DESK`` (handlers and coordinators;
anyone else signed in gets 403 and anonymous visitors the sign-in page,
before any object is looked up, so neither learns whether a case exists),
and every object is found through amparo.protection.access, which answers
the same 404 for what is missing and for what the person may not see.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import F, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from amparo.accounts import keyring
from amparo.accounts.models import User
from amparo.cases import attention
from amparo.cases.actions.reads import audit_case_read
from amparo.cases.models import Case, Stage, Urgency
from amparo.cases.vault import OpenCase
from amparo.cases.views.common import DESK, open_case, sign_in_again
from amparo.protection import display
from amparo.protection.access import (
    access_desk_member,
    access_measure_by_public_id,
    access_protection_case_by_public_id,
)
from amparo.protection.actions import (
    ProtectionError,
    current_assessment,
    do_add_measure,
    do_assess,
    do_update_measure,
    possible_owners,
)
from amparo.protection.forms import (
    AssessmentForm,
    MeasureForm,
    ThreatFormSet,
    initial_from_content,
)
from amparo.protection.levels import LEVEL_TABLE, Impact, Level, Likelihood
from amparo.protection.models import Assessment, Measure

ERRORS = {
    "stale": lambda: _(
        "Someone recorded another assessment or changed this measure since you opened the "
        "page. Nothing was saved: read the page again; what you typed is kept below."
    ),
    "threat_required": lambda: _("Describe at least one threat, with its facts."),
    "override_reason_required": lambda: _(
        "Setting a level other than the table's needs a written reason."
    ),
    "clear_and_present_is_critical": lambda: _(
        "With a clear and present danger the level is critical: it cannot be set lower."
    ),
    "review_in_past": lambda: _("Give a re-assessment day after today."),
    "rating_reason_required": lambda: _("Say why you rate each item so."),
    "illegal_status": lambda: _("A measure cannot move to that status from where it is now."),
    "unchanged": lambda: _("Nothing changed, so nothing was saved."),
    "bad_owner": lambda: _("The owner must be someone on the desk who holds this case."),
}


def _message(code: str) -> str:
    return ERRORS.get(code, lambda: _("This could not be saved. Nothing was changed."))()


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def case_url(case: Case, anchor: str = "protection") -> str:
    return f"{reverse('cases:detail', args=[case.public_id])}#{anchor}"


def _opened(request: HttpRequest, public_id: str) -> OpenCase:
    case = access_protection_case_by_public_id(request.user, public_id)
    return open_case(request, case)


def level_table() -> list[dict[str, Any]]:
    """The likelihood x impact table, for the form and the docs' reader."""
    return [
        {
            "likelihood": likelihood.label,
            "cells": [LEVEL_TABLE[likelihood][impact] for impact in Impact],
        }
        for likelihood in Likelihood
    ]


@DESK
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def assess(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        opened = _opened(request, public_id)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    case = opened.case
    current = current_assessment(case)
    number = current.number if current else 0
    status = 200
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        threats = ThreatFormSet(request.POST, prefix="threats")
        if "more_threats" in request.POST:
            data = request.POST.copy()
            total = int(data.get("threats-TOTAL_FORMS") or 1)
            data["threats-TOTAL_FORMS"] = str(min(total + 1, 20))
            form = AssessmentForm(data)
            threats = ThreatFormSet(data, prefix="threats")
            form.is_valid()
            form.errors.clear()  # not a submission: show no errors yet
            threats.is_valid()
            for threat_form in threats.forms:
                threat_form.errors.clear()
            threats._non_form_errors = threats.error_class()  # type: ignore[attr-defined]
        elif form.is_valid() and threats.is_valid():
            values = form.values([t for t in (f.threat() for f in threats.forms) if t is not None])
            try:
                do_assess(
                    opened, user_of(request), values, expected_number=form.cleaned_data["number"]
                )
            except ProtectionError as error:
                form.add_error(None, _message(error.code))
                status = 409 if error.code == "stale" else 400
            else:
                messages.success(request, _("The assessment is recorded."))
                return HttpResponseRedirect(case_url(case))
        else:
            status = 400
    else:
        initial: dict[str, Any] = {"number": number}
        threat_initial: list[dict[str, Any]] = []
        if current is not None:
            content = opened.decrypt_json(current.content, current.aad_field())
            more, threat_initial = initial_from_content(content)
            initial.update(more)
        form = AssessmentForm(initial=initial)
        threats = ThreatFormSet(initial=threat_initial, prefix="threats")
    if status == 409:
        # Stale: the form must carry the new number to be sent again.
        data = request.POST.copy()
        data["number"] = str(number)
        refreshed = AssessmentForm(data)
        refreshed.is_valid()
        for problem in form.non_field_errors():
            refreshed.add_error(None, problem)
        form = refreshed
    audit_case_read(user_of(request), case)
    return render(
        request,
        "protection/assess.html",
        {
            "case": case,
            "form": form,
            "threats": threats,
            "current": display.describe_assessment(opened, current) if current else None,
            "table": level_table(),
            "impacts": [impact.label for impact in Impact],
        },
        status=status,
    )


@DESK
@require_safe
@never_cache
def assessments(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        opened = _opened(request, public_id)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    case = opened.case
    history = [
        display.describe_assessment(opened, assessment)
        for assessment in case.assessments.select_related("assessed_by").order_by("-number")
    ]
    audit_case_read(user_of(request), case)
    return render(request, "protection/assessments.html", {"case": case, "history": history})


@DESK
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def measure_new(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        opened = _opened(request, public_id)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    case = opened.case
    owners = possible_owners(case)
    status = 200
    if request.method == "POST":
        form = MeasureForm(request.POST, owners=owners)
        if form.is_valid():
            try:
                do_add_measure(opened, user_of(request), form.values())
            except ProtectionError as error:
                form.add_error(None, _message(error.code))
                status = 400
            else:
                messages.success(request, _("The measure is added to the plan."))
                return HttpResponseRedirect(case_url(case, "plan"))
        else:
            status = 400
    else:
        form = MeasureForm(owners=owners, initial={"owner": request.user.pk})
    audit_case_read(user_of(request), case)
    return render(
        request,
        "protection/measure.html",
        {"case": case, "form": form, "item": None},
        status=status,
    )


@DESK
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def measure_detail(request: HttpRequest, public_id: str, measure_id: str) -> HttpResponse:
    case, measure = access_measure_by_public_id(request.user, public_id, measure_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    owners = possible_owners(case)
    if measure.owner is not None and measure.owner not in owners:
        owners.append(measure.owner)
    kwargs: dict[str, Any] = {
        "owners": owners,
        "current_status": measure.status,
        "current_kind": measure.kind,
    }
    status = 200
    if request.method == "POST":
        form = MeasureForm(request.POST, initial={"kind": measure.kind}, **kwargs)
        if form.is_valid():
            try:
                do_update_measure(
                    opened,
                    user_of(request),
                    measure,
                    form.values(),
                    status=form.cleaned_data["status"],
                    expected_version=form.cleaned_data["version"] or 0,
                    note=form.cleaned_data["note"],
                )
            except ProtectionError as error:
                form.add_error(None, _message(error.code))
                status = 409 if error.code == "stale" else 400
            else:
                messages.success(request, _("The measure is saved."))
                return HttpResponseRedirect(case_url(case, "plan"))
        else:
            status = 400
    else:
        details = display.describe_measure(opened, measure)["details"]
        form = MeasureForm(
            initial={
                **details,
                "kind": measure.kind,
                "status": measure.status,
                "owner": measure.owner_id,
                "due_on": measure.due_on,
                "version": measure.version,
            },
            **kwargs,
        )
    history = [
        {
            "change": change,
            "note": opened.decrypt_text(change.note, change.aad_field()) if change.note else "",
        }
        for change in measure.changes.select_related("actor")
    ]
    audit_case_read(user_of(request), case)
    return render(
        request,
        "protection/measure.html",
        {
            "case": case,
            "form": form,
            "item": display.describe_measure(opened, measure),
            "history": history,
        },
        status=status,
    )


def case_sections(case: Case, opened: OpenCase) -> dict[str, Any]:
    """What the case page shows of protection: the current risk, the plan, the timeline."""
    current = current_assessment(case)
    return {
        "case": case,
        "current": display.describe_assessment(opened, current) if current else None,
        "assessment_count": case.assessments.count(),
        "measures": [
            display.describe_measure(opened, measure)
            for measure in Measure.objects.filter(case=case).select_related("owner")
        ],
    }


#: Rows shown per list on the needs-attention page; "All N in the inbox" shows the rest.
ATTENTION_ROWS = 25


def _age(today: datetime.date, received_on: datetime.date) -> str:
    days = (today - received_on).days
    return ngettext("%(days)d day old", "%(days)d days old", days) % {"days": days}


def attention_lists(user: User, now: datetime.datetime) -> list[dict[str, Any]]:
    """Each needs-attention list for this person: its count and first rows.

    The rows are plain strings made here, once, rather than per row in the
    template: with seven lists of 25 rows, template tags were most of the
    page's time.
    """
    level = Assessment.objects.filter(case=OuterRef("pk"), is_current=True).values("level")[:1]
    scope = attention.scope(user)
    cases = (
        scope.annotate(level=Subquery(level))
        .values("public_id", "reference", "urgency", "stage", "received_on", "level")
        .annotate(assignee_name=F("assignee__username"))
    )
    today = timezone.localdate(now)
    levels = dict(Level.choices)
    stages = dict(Stage.choices)
    link = reverse("cases:detail", args=["CASE"])
    result = []
    for item in attention.lists():
        condition = item.build(now)
        rows = list(cases.filter(condition).order_by("received_on", "pk")[:ATTENTION_ROWS])
        # Counted without the annotations, which would be computed for every row.
        count = len(rows) if len(rows) < ATTENTION_ROWS else scope.filter(condition).count()
        result.append(
            {
                "list": item,
                "count": count,
                "rows": [
                    {
                        "url": link.replace("CASE", row["public_id"]),
                        "reference": row["reference"],
                        "urgent": row["urgency"] == Urgency.URGENT,
                        "level": row["level"] or "",
                        "level_label": levels.get(row["level"], ""),
                        "stage": stages.get(row["stage"], row["stage"]),
                        "age": _age(today, row["received_on"]),
                        "assignee": row["assignee_name"] or "",
                    }
                    for row in rows
                ],
            }
        )
    return result


@DESK
@require_safe
@never_cache
def needs_attention(request: HttpRequest) -> HttpResponse:
    access_desk_member(request.user)
    user = user_of(request)
    lists = attention_lists(user, timezone.now())
    return render(
        request,
        "protection/attention.html",
        {
            "lists": lists,
            "total": sum(entry["count"] for entry in lists),
            "whole_desk": user.is_coordinator,
            "urgent_label": _("Urgent"),
            "nobody_label": _("No one yet"),
        },
    )
