from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    label = "conversations"

    def ready(self) -> None:
        from ventanilla.channels.signals import message_received
        from ventanilla.conversations.tasks import enqueue_dialog

        message_received.connect(enqueue_dialog, dispatch_uid="conversations.enqueue_dialog")
