from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2: the public record for integrators, and requests they create."""

    name = "ventanilla.open311"
    label = "open311"
