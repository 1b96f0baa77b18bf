from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    label = "conversations"

    def ready(self) -> None:
        from ventanilla.conversations.webhooks import forget_channel

        # A channel changed or removed in this process is not served from memory any more.
        post_save.connect(forget_channel, sender="channels.Channel", dispatch_uid="hooks-save")
        post_delete.connect(forget_channel, sender="channels.Channel", dispatch_uid="hooks-del")
