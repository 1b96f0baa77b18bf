"""The provider registry: derived from the classes, and in step with the model and citizens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ventanilla.channels.adapters import (
    ADAPTERS,
    PROVIDERS,
    UnknownProvider,
    adapter_class,
    provider_class,
)
from ventanilla.channels.adapters.base import (
    ChannelConfig,
    SupportsCallbacks,
    SupportsWebhookSetup,
)
from ventanilla.channels.models import Provider
from ventanilla.citizens.urns import Scheme

FOLDER = Path(__file__).resolve().parent.parent


def test_the_model_offers_exactly_the_registered_providers() -> None:
    assert set(Provider.values) == set(PROVIDERS)


def test_the_providers_reach_residents_by_every_scheme_citizens_knows_and_no_other() -> None:
    schemes = {scheme for cls in PROVIDERS.values() for scheme in cls.urn_schemes}
    assert schemes == set(Scheme)


@pytest.mark.parametrize("code", sorted(PROVIDERS))
def test_each_provider_lives_in_the_folder_named_by_its_code(code: str) -> None:
    cls = PROVIDERS[code]
    assert cls.code == code
    assert cls.__module__ == f"ventanilla.channels.adapters.{code}.adapter"
    assert (FOLDER / code / "adapter.py").is_file()


#: the adapters that call a provider's HTTP API with credentials of their own
HTTP_ADAPTERS = {code: cls for code, cls in ADAPTERS.items() if code != "email"}


@pytest.mark.parametrize("cls", list(HTTP_ADAPTERS.values()), ids=list(HTTP_ADAPTERS))
def test_each_adapter_declares_its_facts(cls: type) -> None:
    assert cls.default_api_base.startswith("https://")
    assert cls.required_secrets and isinstance(cls.required_secrets, tuple)
    assert isinstance(cls.redact_keys, frozenset)
    lowered = {key.lower() for key in cls.redact_keys}
    # every credential is redacted; ids that are not secret (a phone number id) need not be
    secrets = {"access_token", "app_secret", "verify_token", "bot_token", "secret_token"}
    secrets |= {"channel_secret", "auth_token"}
    assert {name for name in cls.required_secrets if name in secrets} <= lowered


def test_only_whatsapp_has_a_free_form_window() -> None:
    windows = {code: cls.free_form_window for code, cls in PROVIDERS.items()}
    assert {code for code, window in windows.items() if window is not None} == {"whatsapp"}
    assert windows["whatsapp"] is not None and windows["whatsapp"].total_seconds() == 24 * 3600


def test_optional_capabilities_are_checked_with_isinstance() -> None:
    adapters = {
        code: cls(ChannelConfig(channel_id=1, api_base=cls.default_api_base, secrets={}))
        for code, cls in ADAPTERS.items()
    }
    callbacks = {code for code, a in adapters.items() if isinstance(a, SupportsCallbacks)}
    setup = {code for code, a in adapters.items() if isinstance(a, SupportsWebhookSetup)}
    assert callbacks == {"telegram"}
    assert setup == {"telegram"}


def test_the_web_chat_has_facts_but_no_adapter() -> None:
    assert provider_class("webchat").required_secrets == ()
    with pytest.raises(UnknownProvider):
        adapter_class("webchat")
    with pytest.raises(UnknownProvider):
        provider_class("fax")


def test_email_sends_through_the_installations_mail_server_without_secrets_of_its_own() -> None:
    email = adapter_class("email")
    assert email.urn_schemes == (Scheme.MAILTO,)
    assert email.required_secrets == () and email.default_api_base == ""
    assert {"from", "to", "subject"} <= {key.lower() for key in email.redact_keys}
