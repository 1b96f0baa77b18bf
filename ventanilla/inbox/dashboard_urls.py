from django.urls import path

from ventanilla.inbox import dashboard as views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tables/<slug:table>.csv", views.table_csv, name="table_csv"),
    path("statistics.xlsx", views.workbook, name="xlsx"),
    path("report.pdf", views.report_pdf, name="pdf"),
]
