from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "ventanilla.cases"
    label = "cases"

    def ready(self) -> None:
        from ventanilla.cases.roles import ensure_roles

        # After every app's migrations: permissions of later apps (inbox, portal) exist then.
        post_migrate.connect(ensure_roles, dispatch_uid="ventanilla-roles")
