"""The statistics area: analysts and coordinators only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts.access import staff_required
from amparo.accounts.models import Role, User
from amparo.reports import engine, present
from amparo.reports.access import access_release_by_id
from amparo.reports.actions import do_export, do_release_statistics, do_view_statistics
from amparo.reports.forms import StatisticsForm, initial_period
from amparo.reports.models import Release

STATISTICS_ROLES = (Role.ANALYST, Role.COORDINATOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required(*STATISTICS_ROLES)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Choose what to count; the protected figures appear below (GET: works without JS)."""
    asked = "rows" in request.GET
    form = StatisticsForm(
        request.GET if asked else None, initial=initial_period() | {"follow_up": True}
    )
    context: dict[str, object] = {"form": form, "releases": Release.objects.all()[:20]}
    if asked and form.is_valid():
        spec = form.spec()
        result = do_view_statistics(_user(request), spec)
        context.update(_shown(spec, result.published_cells(), result))
    return render(request, "reports/index.html", context)


def _shown(
    spec: engine.ReleaseSpec, cells: dict[str, int | None], result: engine.Release | Release
) -> dict[str, object]:
    tables = present.tables_from(spec, cells, get_language())
    return {
        "spec": spec,
        "tables": tables,
        "figures": result,
        "notes": present.coarsening_note(spec),
        "suppression_note": present.suppression_note(result.threshold),
        "hides_much": any(t.suppressed_count > max(2, (len(t.body) + 1) // 3) for t in tables),
    }


@staff_required(*STATISTICS_ROLES)
@require_POST
def release(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/index.html", {"form": form}, status=400)
    recorded = do_release_statistics(_user(request), form.spec())
    messages.success(request, _("The release is recorded. Its figures can now be downloaded."))
    return redirect("reports:release", release_id=recorded.pk)


@staff_required(*STATISTICS_ROLES)
@require_GET
def release_detail(request: HttpRequest, release_id: int) -> HttpResponse:
    recorded = access_release_by_id(_user(request), release_id)
    spec = engine.ReleaseSpec.from_json(recorded.spec)
    context = _shown(spec, recorded.cells, recorded)
    context["release"] = recorded
    return render(request, "reports/release.html", context)


@staff_required(*STATISTICS_ROLES)
@require_GET
def release_csv(request: HttpRequest, release_id: int, table: str) -> HttpResponse:
    recorded = access_release_by_id(_user(request), release_id)
    return table_csv(request, recorded, table)


def table_csv(request: HttpRequest, recorded: Release, table: str) -> HttpResponse:
    from django.http import Http404

    spec = engine.ReleaseSpec.from_json(recorded.spec)
    language = get_language()
    shown = [t for t in present.tables_from(spec, recorded.cells, language) if t.key == table]
    if not shown:
        raise Http404
    notes = [*present.coarsening_note(spec), present.suppression_note(recorded.threshold)]
    body = shown[0].csv(" ".join(notes))
    do_export(_user(request), recorded, f"csv:{table}", language or "")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"amparo-{recorded.kind}-{recorded.pk}-{table}-{language}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
