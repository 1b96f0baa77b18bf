from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    label = "conversations"

    def ready(self) -> None:
        from ventanilla.cases.signals import case_changed
        from ventanilla.channels.signals import message_received
        from ventanilla.conversations.notifications import notify_resident
        from ventanilla.conversations.tasks import enqueue_dialog

        case_changed.connect(notify_resident, dispatch_uid="conversations.notify_resident")
        message_received.connect(enqueue_dialog, dispatch_uid="conversations.enqueue_dialog")
