from django.urls import path

from ventanilla.inbox import rights, views

app_name = "inbox"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("live/", views.live_events, name="live"),
    path("audit/", views.access_log, name="access_log"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/reply/", views.case_reply, name="reply"),
    path("cases/<str:reference>/assign/", views.case_assign, name="assign"),
    path("cases/<str:reference>/transfer/", views.case_transfer, name="transfer"),
    path("cases/<str:reference>/category/", views.case_category, name="category"),
    path("cases/<str:reference>/status/", views.case_status, name="status"),
    path("cases/<str:reference>/priority/", views.case_priority, name="priority"),
    path("cases/<str:reference>/duplicate/", views.case_duplicate, name="duplicate"),
    path("cases/<str:reference>/note/", views.case_note, name="note"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("media/<str:token>/", views.outbound_media, name="outbound_media"),
    # Residents' data protection requests (supervisors and administrators).
    path("rights/", rights.rights_requests, name="rights_requests"),
    path("rights/record/", rights.processing_record, name="processing_record"),
    path("rights/<int:pk>/", rights.rights_request, name="rights_request"),
    path("rights/<int:pk>/<str:action>/", rights.rights_act, name="rights_act"),
    path("rights/<int:pk>/export.<str:fmt>", rights.rights_export, name="rights_export"),
]
