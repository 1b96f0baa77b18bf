from django.apps import AppConfig


class WebchatConfig(AppConfig):
    name = "ventanilla.webchat"
    label = "webchat"
