from django.urls import path

from amparo.consent import views

app_name = "consent"

urlpatterns = [
    path("follow-up/choices/", views.reporter_choices, name="reporter_choices"),
    path(
        "follow-up/choices/requests/<str:public_id>/",
        views.reporter_answer,
        name="reporter_answer",
    ),
    path(
        "follow-up/choices/withdraw-sharing/",
        views.reporter_withdraw_sharing,
        name="reporter_withdraw_sharing",
    ),
    path("staff/consent/<str:public_id>/record/", views.record_consent, name="record"),
    path("staff/consent/<str:public_id>/propose/", views.propose_sharing, name="propose"),
    path(
        "staff/consent/<str:public_id>/requests/<str:request_id>/cancel/",
        views.cancel_request,
        name="cancel_request",
    ),
]
