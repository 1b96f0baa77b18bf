from django.apps import AppConfig


class DemoConfig(AppConfig):
    """A demo council on this laptop (the `demo` command); no models."""

    name = "ventanilla.demo"
    label = "demo"
