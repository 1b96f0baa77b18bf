from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "ventanilla.citizens"
    label = "citizens"
