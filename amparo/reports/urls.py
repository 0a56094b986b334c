from django.urls import path

from amparo.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("release/", views.release, name="release_new"),
    path("releases/<int:release_id>/", views.release_detail, name="release"),
    path("releases/<int:release_id>/<slug:table>.csv", views.release_csv, name="release_csv"),
]
