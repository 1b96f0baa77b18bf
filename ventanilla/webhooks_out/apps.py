from django.apps import AppConfig


class WebhooksOutConfig(AppConfig):
    name = "ventanilla.webhooks_out"
    label = "webhooks_out"
    verbose_name = "Outgoing webhooks"
