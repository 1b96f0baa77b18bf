from django.urls import path

from ventanilla.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.appointments, name="list"),
]
