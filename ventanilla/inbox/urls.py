from django.urls import path

from ventanilla.inbox import public_threads, publication, resident_views, rights, views

app_name = "inbox"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("live/", views.live_events, name="live"),
    path("audit/", views.access_log, name="access_log"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/reply/", views.case_reply, name="reply"),
    path(
        "cases/<str:reference>/reply/preview/",
        public_threads.reply_preview,
        name="reply_preview",
    ),
    path("cases/<str:reference>/assign/", views.case_assign, name="assign"),
    path("cases/<str:reference>/transfer/", views.case_transfer, name="transfer"),
    path("cases/<str:reference>/category/", views.case_category, name="category"),
    path("cases/<str:reference>/status/", views.case_status, name="status"),
    path("cases/<str:reference>/priority/", views.case_priority, name="priority"),
    path("cases/<str:reference>/duplicate/", views.case_duplicate, name="duplicate"),
    path("cases/<str:reference>/note/", views.case_note, name="note"),
    # the public record and the place of a case (inbox/publication.py)
    path("publication/", publication.pending, name="publication"),
    path("publication/approve/", publication.approve_pending, name="publication_approve"),
    path("cases/<str:reference>/summary/", publication.case_summary, name="summary"),
    path("cases/<str:reference>/photo/", publication.case_photo, name="photo"),
    path("cases/<str:reference>/withdraw/", publication.case_withdraw, name="withdraw"),
    path("cases/<str:reference>/republish/", publication.case_republish, name="republish"),
    path("cases/<str:reference>/location/", publication.case_location, name="location"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("cases/<str:reference>/form-photo/", views.form_photo, name="form_photo"),
    path("media/<str:token>/", views.outbound_media, name="outbound_media"),
    # Conversations that are not a case, and the resident's profile.
    path("conversations/", resident_views.conversations, name="conversations"),
    path("conversations/<int:pk>/", resident_views.conversation_detail, name="conversation"),
    path(
        "conversations/<int:pk>/reply/",
        resident_views.conversation_reply,
        name="conversation_reply",
    ),
    path(
        "conversations/<int:pk>/case/",
        resident_views.conversation_open_case,
        name="conversation_case",
    ),
    path(
        "conversations/<int:pk>/close/",
        resident_views.conversation_close,
        name="conversation_close",
    ),
    path("residents/<int:pk>/", resident_views.resident, name="resident"),
    # Residents' data protection requests (supervisors and administrators).
    path("rights/", rights.rights_requests, name="rights_requests"),
    path("rights/record/", rights.processing_record, name="processing_record"),
    path("rights/<int:pk>/", rights.rights_request, name="rights_request"),
    path("rights/<int:pk>/<str:action>/", rights.rights_act, name="rights_act"),
    path("rights/<int:pk>/export.<str:fmt>", rights.rights_export, name="rights_export"),
]
