from django.urls import path

from ventanilla.channels import views

app_name = "channels"
urlpatterns = [
    path("<str:provider>/<int:channel_id>/", views.receive, name="receive"),
]
