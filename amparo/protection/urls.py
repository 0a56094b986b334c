from django.urls import path

from amparo.protection import views

app_name = "protection"

urlpatterns = [
    path("attention/", views.needs_attention, name="attention"),
    path("cases/<str:public_id>/assess/", views.assess, name="assess"),
    path("cases/<str:public_id>/assessments/", views.assessments, name="assessments"),
    path("cases/<str:public_id>/measures/new/", views.measure_new, name="measure_new"),
    path(
        "cases/<str:public_id>/measures/<str:measure_id>/",
        views.measure_detail,
        name="measure",
    ),
]
