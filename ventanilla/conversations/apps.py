from django.apps import AppConfig

from ventanilla.cases.signals import case_changed


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    label = "conversations"

    def ready(self) -> None:
        from ventanilla.conversations.notifications import notify_resident

        case_changed.connect(notify_resident, dispatch_uid="conversations.notify_resident")
