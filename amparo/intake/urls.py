from django.urls import path

from amparo.intake import views

app_name = "intake"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/received/", views.received, name="received"),
    path("report/thanks/", views.thanks, name="thanks"),
    path("danger/", views.danger, name="danger"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("follow-up/report/", views.follow_up_case, name="follow_up_case"),
    path("follow-up/complete/", views.follow_up_complete, name="follow_up_complete"),
    path("follow-up/files/<str:public_id>/", views.follow_up_file, name="follow_up_file"),
    path("follow-up/leave/", views.follow_up_leave, name="follow_up_leave"),
    path("exit/", views.quick_exit, name="exit"),
]
