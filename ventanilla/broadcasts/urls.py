from django.urls import path

from ventanilla.broadcasts import views

app_name = "broadcasts"
urlpatterns = [
    path("", views.broadcast_list, name="list"),
    path("new/", views.broadcast_new, name="new"),
    path("<int:pk>/", views.broadcast_detail, name="detail"),
    path("<int:pk>/progress/", views.broadcast_progress, name="progress"),
    path("<int:pk>/approve/", views.broadcast_approve, name="approve"),
    path("<int:pk>/send/", views.broadcast_send, name="send"),
    path("<int:pk>/pause/", views.broadcast_pause, name="pause"),
    path("<int:pk>/resume/", views.broadcast_resume, name="resume"),
    path("<int:pk>/cancel/", views.broadcast_cancel, name="cancel"),
    path("<int:pk>/report.csv", views.broadcast_report, name="report"),
    path("relay/", views.relay_queue, name="relay"),
    path("costs/", views.cost_page, name="costs"),
    path("costs.csv", views.cost_csv, name="costs_csv"),
    path("relay/<int:pk>/", views.relay_decide, name="relay_decide"),
    path("relay/<int:pk>/photo/", views.relay_photo, name="relay_photo"),
]
