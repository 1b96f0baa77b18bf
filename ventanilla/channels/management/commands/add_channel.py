"""`ventanilla add_channel <provider> --name ... <secrets>`: configure a channel from the shell."""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.channels import services
from ventanilla.channels.adapters import ADAPTERS, adapter_for
from ventanilla.channels.adapters.base import SendError, SupportsWebhookSetup
from ventanilla.channels.models import Channel, Provider
from ventanilla.core.councils import council_for_command

#: every secret option, by the name it is stored under
SECRET_OPTIONS = sorted({name for a in ADAPTERS.values() for name in a.required_secrets})
#: the providers whose webhook this command can register through their API
WEBHOOK_SETUP = tuple(code for code, a in ADAPTERS.items() if issubclass(a, SupportsWebhookSetup))


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


def label(code: str) -> str:
    """Return the provider's name as staff read it."""
    return str(Provider(code).label)


def no_webhook_setup() -> CommandError:
    return CommandError(
        _("--set-webhook is for %(providers)s only.")
        % {"providers": ", ".join(label(code) for code in WEBHOOK_SETUP)}
    )


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Create a messaging channel and print its webhook address "
            "(one JSON object with --json)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", choices=tuple(ADAPTERS))
        parser.add_argument("--name", required=True, help=_("Name staff see."))
        for name in SECRET_OPTIONS:
            users = [label(code) for code, a in ADAPTERS.items() if name in a.required_secrets]
            needed = _("Needed by: %(providers)s.") % {"providers": ", ".join(users)}
            parser.add_argument(option(name), dest=name, default="", help=needed)
        parser.add_argument(
            "--address",
            default="",
            help=_("E-mail: the address residents write to (the mail gateway receives it)."),
        )
        parser.add_argument(
            "--api-base", default="", help=_("Provider API base URL (a local fake in tests).")
        )
        parser.add_argument(
            "--public-address",
            default="",
            help=_(
                "What residents use to reach the channel, shown on the portal: phone number, "
                "bot username, LINE ID or e-mail address."
            ),
        )
        parser.add_argument(
            "--rate", type=float, default=None, help=_("Messages per second (default 10).")
        )
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument(
            "--set-webhook",
            nargs="?",
            const="auto",
            default="",
            metavar="URL",
            help=_(
                "%(providers)s: register URL as the webhook (default: this channel's webhook URL)."
            )
            % {"providers": ", ".join(label(code) for code in WEBHOOK_SETUP)},
        )
        parser.add_argument("--json", action="store_true", help=_("Print one JSON object."))

    def handle(self, *args: Any, **options: Any) -> None:
        provider = options["provider"]
        council = council_for_command(options["council"])
        wanted = ADAPTERS[provider].required_secrets
        missing = [option(name) for name in wanted if not options.get(name)]
        if missing:
            raise CommandError(
                _("%(provider)s needs %(options)s.")
                % {"provider": provider, "options": ", ".join(missing)}
            )
        if options["set_webhook"] and provider not in WEBHOOK_SETUP:
            raise no_webhook_setup()
        if provider == Provider.EMAIL and not options["address"]:
            raise CommandError(_("%(provider)s needs --address.") % {"provider": provider})
        secrets = {name: options[name] for name in wanted}
        extra = {"address": options["address"]} if provider == Provider.EMAIL else {}
        with transaction.atomic():
            try:
                channel = services.create_channel(
                    council=council,
                    provider=provider,
                    name=options["name"],
                    secrets=secrets,
                    api_base=options["api_base"],
                    rate_per_second=options["rate"],
                    public_address=options["public_address"],
                    options=extra,
                )
            except services.ChannelConfigError as error:
                raise CommandError(str(error)) from None
            if options["set_webhook"]:
                # Inside the transaction: a refused webhook leaves no half-made channel.
                self.set_webhook(channel, options["set_webhook"])
        self.report(channel, as_json=options["json"])

    def set_webhook(self, channel: Channel, url: str) -> None:
        url = channel.webhook_url if url == "auto" else url
        adapter = adapter_for(channel)
        if not isinstance(adapter, SupportsWebhookSetup):
            raise no_webhook_setup()
        try:
            with httpx.Client(timeout=30) as client:
                adapter.set_webhook(client, url)
        except SendError as error:
            raise CommandError(
                _("%(provider)s refused the webhook: %(reason)s")
                % {"provider": channel.get_provider_display(), "reason": error.reason}
            ) from None

    def report(self, channel: Channel, *, as_json: bool) -> None:
        data = {
            "id": channel.pk,
            "provider": channel.provider,
            "name": channel.name,
            "council": channel.council.slug,
            "api_base": channel.config().api_base,
            "rate_per_second": channel.rate_per_second,
            "webhook_path": channel.webhook_path,
            "webhook_url": channel.webhook_url,
            "public_address": channel.public_address,
        }
        if channel.provider == Provider.EMAIL:
            # e-mail has no webhook: the mail gateway receives for this address
            data.update(
                address=channel.options["address"], webhook_path="", webhook_url="", api_base=""
            )
        if as_json:
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            _("Channel %(id)s created: %(name)s (%(provider)s).")
            % {"id": channel.pk, "name": channel.name, "provider": channel.get_provider_display()}
        )
        if channel.provider == Provider.EMAIL:
            self.stdout.write(
                _("Mail for %(address)s is received by `ventanilla mail_gateway`.")
                % {"address": channel.options["address"]}
            )
            return
        self.stdout.write(_("Webhook URL: %(url)s") % {"url": channel.webhook_url})
