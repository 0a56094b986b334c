from django.urls import path

from amparo.operations import views

app_name = "operations"

urlpatterns = [
    path("follow-up/delete/", views.reporter_deletion, name="reporter_deletion"),
    path("staff/operations/", views.home, name="home"),
    path("staff/operations/rules/", views.save_rules, name="save_rules"),
    path("staff/operations/requests/<int:request_id>/", views.decide, name="decide"),
]
