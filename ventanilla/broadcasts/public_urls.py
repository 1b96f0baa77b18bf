from django.urls import path

from ventanilla.broadcasts import feed

app_name = "public_alerts"
urlpatterns = [
    path("", feed.alerts_page, name="page"),
    path("feed.atom", feed.atom, name="atom"),
    path("<str:key>.cap.xml", feed.cap, name="cap"),
]
