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
    path("people/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("people/<int:user_id>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:user_id>/destroy-keys/", views.destroy_keys, name="destroy_keys"),
    path("people/changes/<int:change_id>/", views.change, name="change"),
]
