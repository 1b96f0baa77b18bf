"""`ventanilla fakes`, found through the channels app.

The command lives in ``ventanilla.fakes``, which is not an installed app (it has no models);
Django only finds commands of installed apps, so the channels app lists it too.
"""

from ventanilla.fakes.management.commands.fakes import Command

__all__ = ["Command"]
