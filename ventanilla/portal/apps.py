from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ventanilla.portal"
    label = "portal"

    def ready(self) -> None:
        from ventanilla.conversations.dialog import command_handlers
        from ventanilla.portal.chat import WORDS, handle_support

        command_handlers.register(WORDS, handle_support)
