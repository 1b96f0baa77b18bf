from django.apps import AppConfig


class VentanillaConfig(AppConfig):
    """The project itself, installed last: wires the apps' reactions to each other."""

    name = "ventanilla"
    label = "ventanilla"
    default = False

    def ready(self) -> None:
        from ventanilla import wiring

        wiring.connect()
