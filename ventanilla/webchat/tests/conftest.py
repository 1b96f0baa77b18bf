from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ventanilla.channels import services as channel_services
from ventanilla.channels.models import Channel
from ventanilla.conversations.tests.chat import make_town


@pytest.fixture
def town(transactional_db: Any) -> Any:
    return make_town()


@pytest.fixture
def web_chat(town: Any) -> Channel:
    return channel_services.create_channel(
        council=town.council, provider="webchat", name="Web", secrets={}
    )


class Browser:
    """A resident's browser: the chat page's cookie, and the posts its script makes."""

    def __init__(self) -> None:
        self.client = Client(HTTP_ACCEPT_LANGUAGE="es")
        self.sent = 0

    def open(self) -> Any:
        return self.client.get("/chat/")

    def post(self, text: str = "", *, client_id: str | None = None, **fields: Any) -> Any:
        self.sent += 1
        data = {"client_id": client_id or f"msg-{id(self)}-{self.sent:04d}", **fields}
        if text:
            data["text"] = text
        return self.client.post("/chat/messages/", data, HTTP_X_WEBCHAT="1")


@pytest.fixture
def browser(web_chat: Channel, immediate_tasks: Any) -> Browser:
    resident = Browser()
    assert resident.open().status_code == 200
    return resident
