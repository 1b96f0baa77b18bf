"""The `ventanilla` console script: Django's management commands under our name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ventanilla", *sys.argv[1:]])


if __name__ == "__main__":
    main()
