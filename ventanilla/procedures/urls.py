from django.urls import path

from ventanilla.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("file/<str:token>/", views.document_file, name="document_file"),
    path("<str:code>/", views.verify_code, name="verify_code"),
    path("<str:code>/pdf/", views.verify_pdf, name="verify_pdf"),
]
