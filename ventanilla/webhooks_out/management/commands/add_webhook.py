"""`ventanilla add_webhook URL --council SLUG --events case.opened,case.changed`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.models import Council
from ventanilla.webhooks_out.models import Event
from ventanilla.webhooks_out.services import SubscriptionError, add_subscription


class Command(BaseCommand):
    help = (
        "Subscribe a back-office URL to a council's case events; print the signing secret "
        "(shown only this once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--council", required=True, help="The council's slug.")
        parser.add_argument(
            "--events",
            default=",".join(Event.values),
            help=f"Comma-separated events (default: all: {','.join(Event.values)}).",
        )

    def handle(self, *args: Any, url: str, council: str, events: str, **options: Any) -> None:
        found = Council.objects.filter(slug=council).first()
        if found is None:
            raise CommandError(f"No council with the slug {council!r}.")
        try:
            subscription, secret = add_subscription(council=found, url=url, events=events)
        except SubscriptionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Subscribed {subscription.url} to {subscription.events} of {found.name}."
        )
        self.stdout.write("Signing secret (shown only now; keep it in the receiver):")
        self.stdout.write(secret)
