from django.apps import AppConfig


class CrewsConfig(AppConfig):
    name = "ventanilla.crews"
    label = "crews"
    verbose_name = "Crews"
