from django.urls import path

from ventanilla.conversations import webhooks

app_name = "webhooks"
urlpatterns = [
    path("<str:provider>/<int:channel_id>/", webhooks.receive, name="receive"),
]
