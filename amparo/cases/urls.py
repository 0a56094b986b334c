from django.urls import path

from amparo.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("search/", views.search, name="search"),
    path("new/", views.enter, name="enter"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/message/", views.send_message, name="message"),
    path("<str:public_id>/note/", views.add_note, name="note"),
    path("<str:public_id>/stage/", views.change_stage, name="stage"),
    path("<str:public_id>/assign/", views.assign, name="assign"),
    path("<str:public_id>/link/", views.link, name="link"),
    path("<str:public_id>/coding/", views.coding, name="coding"),
    path("<str:public_id>/files/<str:attachment_id>/", views.download, name="download"),
    path("<str:public_id>/files/<str:attachment_id>/preview/", views.preview, name="preview"),
]
