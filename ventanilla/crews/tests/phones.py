"""A phone on a provider, played through the fake providers' simulator (real HTTP)."""

from __future__ import annotations

from typing import Any

from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import Fakes, run_tasks


class Phone:
    """Someone's phone on one provider: a resident's, or a crew's."""

    def __init__(self, fakes: Fakes, simulator: Simulator, provider: str, who: str) -> None:
        self.fakes = fakes
        self.simulator = simulator
        self.provider = provider
        self.who = who

    def outs(self) -> list[dict[str, Any]]:
        messages = self.simulator.transcript(self.provider, self.who)
        return [m for m in messages if m["direction"] == "out"]

    def say(self, text: str = "", **spec: Any) -> list[dict[str, Any]]:
        """Send a message and let the worker answer; return what arrived on the phone."""
        before = len(self.outs())
        body = {"provider": self.provider, "resident": self.who, "name": "Lucía", **spec}
        if text:
            body["text"] = text
        sent = self.fakes.client.post(f"{self.fakes.url}/simulator/send", json=body)
        assert sent.json() == {"status": 200}
        run_tasks()
        return self.outs()[before:]

    def tap(self, label: str) -> list[dict[str, Any]]:
        for message in reversed(self.outs()):
            for choice in message["choices"]:
                if choice["label"] == label:
                    return self.say(label, choice=choice["id"])
            if message["choices"]:
                break
        raise AssertionError(f"{label!r} not offered")


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n---\n".join(m["text"] for m in messages)
