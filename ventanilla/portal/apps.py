from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ventanilla.portal"
    label = "portal"

    def ready(self) -> None:
        from ventanilla.cases.signals import case_changed, case_opened
        from ventanilla.portal.receivers import on_case_changed, on_case_opened

        case_opened.connect(on_case_opened, dispatch_uid="portal.case_opened")
        case_changed.connect(on_case_changed, dispatch_uid="portal.case_changed")
