from django.urls import path

from ventanilla.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.record_list, name="records"),
    path("cases/ranking/", views.ranking, name="ranking"),
    path("cases/<str:reference>/", views.record_detail, name="record"),
    path("cases/<str:reference>/support/", views.support, name="support"),
    path("cases/<str:reference>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("report/", views.report, name="report"),
    path("report/sent/", views.report_done, name="report_done"),
    path("report/nearby.json", views.report_nearby, name="report_nearby"),
    path("map/", views.map_page, name="map"),
    path("map/cases.geojson", views.map_data, name="map_data"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("open-data/", views.open_data, name="open_data"),
    # the privacy notice, made from the council's settings; the SMS notice links here
    path("privacy/", views.privacy_notice, name="privacy"),
    path("open-data/cases.csv", views.records_csv, name="records_csv"),
    path("open-data/cases.json", views.records_json, name="records_json"),
    path("open-data/statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("open-data/statistics.json", views.statistics_json, name="statistics_json"),
]
