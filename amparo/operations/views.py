"""Pages: the administrators' retention rules, the coordinators' deletion
requests, and the reporter's "delete my report" page on the follow-up side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import keyring
from amparo.cases.vault import NoAccess, open_for_staff
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.intake import reporter_session
from amparo.operations.access import access_deletion_request_by_id, visible_requests
from amparo.operations.actions import (
    OperationsError,
    current_rules,
    do_confirm_deletion,
    do_keep_despite_request,
    do_request_deletion,
    do_set_retention_rule,
    due_for_deletion,
)
from amparo.operations.forms import KeepForm, RequestDeletionForm, RetentionRulesForm
from amparo.operations.models import DeletionRequest, RequestStatus, Shredding


@staff_required(Role.ADMINISTRATOR, Role.COORDINATOR)
@never_cache
@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    rules = current_rules()
    due = due_for_deletion()
    due_by_stage: dict[str, int] = {}
    for item in due:
        due_by_stage[item.stage] = due_by_stage.get(item.stage, 0) + 1
    today = timezone.localdate()
    requests = list(visible_requests(user)) if user.is_coordinator else []  # type: ignore[union-attr]
    shredded = Shredding.objects.values("reason").annotate(n=Count("id")).order_by("reason")
    context = {
        "rules": [(stage, rule, due_by_stage.get(stage, 0)) for stage, rule in rules.items()],
        "form": RetentionRulesForm(rules=rules) if user.is_administrator else None,  # type: ignore[union-attr]
        "requests": requests,
        "overdue": sum(1 for r in requests if r.due_on < today),
        "today": today,
        "shredded": {row["reason"]: row["n"] for row in shredded},
    }
    return render(request, "operations/home.html", context)


@staff_required(Role.ADMINISTRATOR)
@require_POST
def save_rules(request: HttpRequest) -> HttpResponse:
    rules = current_rules()
    form = RetentionRulesForm(request.POST, rules=rules)
    if not form.is_valid():
        messages.error(
            request, _("Nothing was saved: each period must be between 30 and 18250 days.")
        )
        return redirect("operations:home")
    for stage, days in form.cleaned_data.items():
        do_set_retention_rule(request.user, stage, int(days))  # type: ignore[arg-type]
    messages.success(request, _("The retention rules were saved."))
    return redirect("operations:home")


@staff_required(Role.COORDINATOR)
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    deletion = access_deletion_request_by_id(request.user, request_id)
    form = KeepForm()
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "confirm":
                result = do_confirm_deletion(request.user, deletion)  # type: ignore[arg-type]
                messages.success(
                    request,
                    _("The content of %(reference)s was deleted.")
                    % {"reference": result.reference},
                )
                return redirect("operations:home")
            form = KeepForm(request.POST)
            if form.is_valid():
                assert deletion.case is not None  # noqa: S101  visible_requests requires it
                try:
                    opened = open_for_staff(
                        deletion.case, request.user, keyring.private_key(request)
                    )
                except keyring.KeyUnavailable:
                    messages.info(request, _("Please sign in again to unlock the cases."))
                    return redirect_to_login(request.get_full_path())
                except NoAccess:
                    raise Http404 from None
                do_keep_despite_request(
                    request.user,  # type: ignore[arg-type]
                    opened,
                    deletion,
                    form.cleaned_data["reason"],
                )
                messages.success(request, _("The decision to keep the report was recorded."))
                return redirect("operations:home")
        except OperationsError:
            messages.error(request, _("Someone else decided on this request already."))
            return redirect("operations:home")
    return render(request, "operations/decide.html", {"deletion": deletion, "form": form})


# ---------------------------------------------------------------- the reporter


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def reporter_deletion(request: HttpRequest) -> HttpResponse:
    try:
        opened = reporter_session.open_case(request)
    except reporter_session.NoReporterSession:
        messages.info(request, _("Your follow-up session has ended. Please type your code again."))
        return redirect("intake:follow_up")
    form = RequestDeletionForm()
    if request.method == "POST":
        form = RequestDeletionForm(request.POST)
        if form.is_valid():
            do_request_deletion(opened)
            messages.success(request, _("Your request was sent to the team."))
            return redirect("operations:reporter_deletion")
    latest = DeletionRequest.objects.filter(case=opened.case).order_by("-id").first()
    context = {
        "case": opened.case,
        "latest": latest,
        "pending": latest is not None and latest.status == RequestStatus.PENDING,
        "kept": latest is not None and latest.status == RequestStatus.KEPT,
        "form": form,
    }
    return render(
        request, "operations/reporter_deletion.html", context, status=400 if form.errors else 200
    )
