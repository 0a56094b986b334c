"""The inbox: the cases a person may see, urgent first."""

from __future__ import annotations

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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from amparo.cases import attention
from amparo.cases import forms as desk_forms
from amparo.cases.access import visible_cases
from amparo.cases.actions.keys import assignable_handlers
from amparo.cases.models import Message, Sender, Urgency
from amparo.cases.views.common import DESK, user_of
from amparo.cases.workflow import FINISHED_STAGES

PER_PAGE = 50


@DESK
@require_safe
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    """The cases this person may see, urgent first; nothing here is decrypted.

    The number of queries is the same whatever the number of cases shown:
    the unread count is a subquery and the assignee is joined.
    """
    user = user_of(request)
    now = timezone.now()
    today = timezone.localdate(now)
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
    wanted = form.value("attention")
    if wanted == "any":
        cases = cases.filter(attention.any_attention(now))
    elif wanted and (chosen := attention.by_code(wanted)) is not None:
        cases = cases.filter(chosen.build(now))
    sort = form.value("sort") or "priority"
    page = Paginator(cases.order_by(*desk_forms.SORTS[sort]), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The overdue mark: one more query for the page's cases, whatever their number.
    shown = [case.pk for case in page]
    overdue = set(
        visible_cases(user)
        .filter(pk__in=shown)
        .filter(attention.any_attention(now))
        .values_list("pk", flat=True)
    )
    for case in page:
        case.age_days = (today - case.received_on).days  # type: ignore[attr-defined]
        case.overdue = case.pk in overdue  # type: ignore[attr-defined]
    return render(
        request,
        "cases/inbox.html",
        {"form": form, "page": page, "filtered": bool(request.GET.dict().keys() - {"page"})},
    )
