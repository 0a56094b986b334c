from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

from amparo.cases.urls import sharing_urlpatterns
from amparo.core import views as core_views
from amparo.intake import views as intake_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", core_views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", intake_views.landing, name="home"),
    path("", include("amparo.intake.urls")),
    path("", include("amparo.consent.urls")),
    path("staff/intake/", include("amparo.intake.staff_urls")),
    path("staff/audit/", include("amparo.audit.urls")),
    path("staff/reference/", include("amparo.reference.urls")),
    path("staff/cases/", include("amparo.cases.urls")),
    path("staff/referrals/", include("amparo.referrals.urls")),
    path("staff/protection/", include("amparo.protection.urls")),
    path("", include("amparo.operations.urls")),
    path("staff/statistics/", include("amparo.reports.urls")),
    path("staff/", include((sharing_urlpatterns, "sharing"))),
    path("staff/", include("amparo.accounts.urls")),
    prefix_default_language=True,
)

handler400 = "amparo.core.views.bad_request"
handler403 = "amparo.core.views.permission_denied"
handler404 = "amparo.core.views.page_not_found"
handler500 = "amparo.core.views.server_error"
