from django.apps import AppConfig


class FakesConfig(AppConfig):
    """Local fake providers and the citizen simulator (the `fakes` command); no models."""

    name = "ventanilla.fakes"
    label = "fakes"
