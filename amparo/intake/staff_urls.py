from django.urls import path

from amparo.intake import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("questionnaires/", staff_views.questionnaires, name="questionnaires"),
    path("questionnaires/new/", staff_views.questionnaire_new, name="questionnaire_new"),
    path("questionnaires/<str:version>/", staff_views.questionnaire, name="questionnaire"),
    path(
        "questionnaires/<str:version>/make-current/",
        staff_views.questionnaire_make_current,
        name="questionnaire_make_current",
    ),
    path("texts/", staff_views.desk_texts, name="desk_texts"),
    path("contacts/", staff_views.emergency_contacts, name="emergency_contacts"),
    path(
        "contacts/<int:contact_id>/",
        staff_views.emergency_contacts,
        name="emergency_contact",
    ),
]
