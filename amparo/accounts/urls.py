from django.urls import path

from amparo.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("recover/", views.recover, name="recover"),
    path("enrol/", views.enrol, name="enrol_form"),
    path("enrol/<str:token>/", views.enrol_link, name="enrol"),
    path("invitations/", views.invitations, name="invitations"),
    path("people/", views.people, name="people"),
    path("people/<int:user_id>/share/", views.share_cases, name="share_cases"),
    path("people/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
]
