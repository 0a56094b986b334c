from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise; says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# Error handlers render our own templates with the active language; they never
# touch the database (it may be the thing that failed).
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The body that made the request bad (say a form in a charset other than UTF-8) would
    # fail again when the CSRF check below reads it, and turn the 400 into a bare 500.
    try:
        request.POST  # noqa: B018 - reading it is the test
    except Exception:
        request.POST = QueryDict()
    return _bad_request(request)


@requires_csrf_token
def _bad_request(request: HttpRequest) -> HttpResponse:
    return render(request, "core/400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason is for developers; people get a plain, translated explanation.
    return render(request, "core/403_csrf.html", status=403)
