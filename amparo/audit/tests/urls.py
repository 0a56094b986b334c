"""The project's URLs, plus the audit trail if amparo/urls.py does not mount it yet."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse

from amparo import urls as project

urlpatterns: list[URLPattern | URLResolver] = list(project.urlpatterns)
try:
    reverse("audit:trail", urlconf=project)
except NoReverseMatch:
    urlpatterns += i18n_patterns(path("staff/audit/", include("amparo.audit.urls")))

handler400 = project.handler400
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500
