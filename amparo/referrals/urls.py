from django.urls import path

from amparo.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_add, name="partner_add"),
    path("partners/<str:public_id>/", views.partner_detail, name="partner"),
    path("partners/<str:public_id>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<str:public_id>/confirm/", views.partner_confirm, name="partner_confirm"),
    path("partners/<str:public_id>/active/", views.partner_active, name="partner_active"),
    path("signing-key/", views.signing_key, name="signing_key"),
    path("case/<str:public_id>/", views.case_referrals, name="case"),
    path("case/<str:public_id>/new/", views.prepare, name="prepare"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/approve/", views.approve, name="approve"),
    path("<str:public_id>/send-back/", views.send_back, name="send_back"),
    path("<str:public_id>/cancel/", views.cancel, name="cancel"),
    path("<str:public_id>/download/", views.download, name="download"),
    path("<str:public_id>/response/", views.response, name="response"),
    path("<str:public_id>/withdrawal-notice/", views.withdrawal_notice, name="withdrawal_notice"),
]
