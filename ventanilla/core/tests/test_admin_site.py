from django.contrib import admin

from ventanilla.core.admin_site import VentanillaAdminSite
from ventanilla.core.models import Council


def test_admin_site_is_ventanillas_with_every_app_registered():
    assert isinstance(admin.site, VentanillaAdminSite)
    assert admin.site.site_header == "Ventanilla"
    assert admin.site.is_registered(Council)
