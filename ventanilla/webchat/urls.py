from django.urls import path

from ventanilla.webchat import views

app_name = "webchat"
urlpatterns = [
    path("", views.chat, name="chat"),
    path("messages/", views.post, name="post"),
    path("stream/", views.stream, name="stream"),
]
