from django.urls import path

from ventanilla.crews import views

app_name = "crews"
urlpatterns = [
    path("", views.crews, name="crews"),
    path("code/", views.link_code, name="link_code"),
    path("phones/<int:pk>/unlink/", views.unlink, name="unlink"),
    path("preferences/", views.preferences, name="preferences"),
    path("messages/", views.internal_messages, name="messages"),
    path("cases/<str:reference>/work-order/", views.work_order, name="work_order"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/publication/", views.evidence_publication, name="evidence_publication"),
]
