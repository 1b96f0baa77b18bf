from django.contrib.auth.views import LogoutView
from django.urls import path

from ventanilla.inbox import views

app_name = "inbox"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
]
