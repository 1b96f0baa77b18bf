from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.tokens import issue_api_token, revoke_api_tokens


class Command(BaseCommand):
    help = "Print a new API token for a user (only its hash is stored), or revoke theirs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Revoke all of its tokens.")

    def handle(self, *args: Any, username: str, revoke: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        if revoke:
            count = revoke_api_tokens(user=user)
            self.stdout.write(f"Revoked {count} token(s) of {username}.")
            return
        self.stdout.write(issue_api_token(user=user))
