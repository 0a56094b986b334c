from django.urls import path

from amparo.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("release/", views.release, name="release_new"),
    path("releases/<int:release_id>/", views.release_detail, name="release"),
    path("releases/<int:release_id>/<slug:table>.csv", views.release_csv, name="release_csv"),
    path("session/", views.session, name="session"),
    path("annual/", views.annual, name="annual"),
    path("annual/new/", views.annual_new, name="annual_new"),
    path("annual/<int:report_id>/", views.annual_detail, name="annual_detail"),
    path(
        "annual/<int:report_id>/narrative/<str:language>/",
        views.annual_narrative,
        name="annual_narrative",
    ),
    path("annual/<int:report_id>/approve/", views.annual_approve, name="annual_approve"),
    path("annual/<int:report_id>/<slug:table>.csv", views.annual_csv, name="annual_csv"),
    path("annual/<int:report_id>/report-<str:language>.pdf", views.annual_pdf, name="annual_pdf"),
]
