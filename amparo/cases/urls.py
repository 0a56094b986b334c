from django.urls import path

from amparo.cases import views
from amparo.cases.views import sharing

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

# Sharing one's cases sits among the People pages: amparo/urls.py includes these
# under staff/, in the namespace "sharing".
sharing_urlpatterns = [
    path("share/", sharing.share_mine, name="mine"),
    path("people/<int:user_id>/share/", sharing.share_with, name="with_coordinator"),
]
