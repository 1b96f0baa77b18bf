from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "ventanilla.cases"
    label = "cases"

    def ready(self) -> None:
        from ventanilla.cases.roles import ensure_roles

        # Sent for every app; ensure_roles acts after the last one's, when the permissions of
        # later apps (inbox, portal) exist.
        post_migrate.connect(ensure_roles, dispatch_uid="ventanilla-roles")
