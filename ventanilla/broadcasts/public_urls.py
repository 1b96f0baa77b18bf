from django.urls import path

from ventanilla.broadcasts import feed, subscribe_views

app_name = "public_alerts"
urlpatterns = [
    path("", feed.alerts_page, name="page"),
    path("feed.atom", feed.atom, name="atom"),
    path("subscribe/", subscribe_views.subscribe, name="subscribe"),
    path("unsubscribe/", subscribe_views.unsubscribe, name="unsubscribe"),
    path("code/", subscribe_views.code, name="code"),
    path("photo/<str:token>/", feed.relayed_photo, name="photo"),
    path("<str:key>.cap.xml", feed.cap, name="cap"),
]
