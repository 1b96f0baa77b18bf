"""The `ventanilla` console script: Django's management commands under our name."""

import os
import sys

FAKES_OFF = (
    "The fake providers are not installed: they are for the demo and the tests, never for "
    "production. To run them here, turn them on: VENTANILLA_FAKES=1 ventanilla fakes "
    "(`ventanilla demo` does it for you)."
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["fakes"] and not settings.VENTANILLA_FAKES:
        sys.exit(FAKES_OFF)
    execute_from_command_line(["ventanilla", *sys.argv[1:]])


if __name__ == "__main__":
    main()
