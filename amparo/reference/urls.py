from django.urls import path

from amparo.reference import views

app_name = "reference"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<slug:list_code>/", views.list_detail, name="list"),
    path("lists/<slug:list_code>/edit/", views.list_edit, name="list_edit"),
    path("lists/<slug:list_code>/terms/new/", views.term_add, name="term_add"),
    path("lists/<slug:list_code>/terms/<int:term_id>/", views.term_edit, name="term_edit"),
    path("situations/<slug:code>/", views.situation_edit, name="situation_edit"),
    path("states-parties/", views.states_parties, name="states_parties"),
    path("states-parties/<str:country>/", views.state_party_edit, name="state_party_edit"),
]
