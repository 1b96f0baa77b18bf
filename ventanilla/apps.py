from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class VentanillaConfig(AppConfig):
    """The project itself, installed last: wires the apps' reactions to each other."""

    name = "ventanilla"
    label = "ventanilla"
    default = False

    def ready(self) -> None:
        from ventanilla import wiring

        wiring.connect()


class VentanillaAdminConfig(AdminConfig):
    """Django's admin, with Ventanilla's site (same sign-in door as the inbox) as ``admin.site``."""

    default_site = "ventanilla.core.admin_site.VentanillaAdminSite"
