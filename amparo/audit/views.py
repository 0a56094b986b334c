from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from amparo.audit.forms import TrailFilterForm
from amparo.audit.models import AuditEvent
from amparo.core.staff import Role, staff_required

PER_PAGE = 50


@staff_required(Role.COORDINATOR)
@require_safe
@never_cache
def trail(request: HttpRequest) -> HttpResponse:
    """The audit trail for coordinators: newest first, filterable, paginated.

    Reading the trail is deliberately not recorded: every page view would
    append events that the next page view shows, a feedback loop that buries
    the events that matter. The trail holds no case content to protect.
    """
    form = TrailFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = AuditEvent.objects.order_by("-seq")
    if form.is_bound:
        # An invalid filter shows nothing rather than everything, so a typo
        # never looks like "these are all the matching events".
        events = form.filter(events) if form.is_valid() else events.none()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"form": form, "page": page})
