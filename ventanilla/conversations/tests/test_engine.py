"""The machinery: order, idempotence, failures, the task and the signal, the command hook."""

from __future__ import annotations

import dataclasses
from unittest import mock

import pytest

from ventanilla.cases.models import Case
from ventanilla.conversations.dialog import commands
from ventanilla.conversations.dialog.commands import Command
from ventanilla.conversations.dialog.engine import STEPS
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.tasks import enqueue_dialog, handle_message


def test_messages_waiting_are_answered_in_order_by_the_first_task(known):
    known.send("menú")
    known.tap("Comunicar incidencia")
    first = known.send("Hay una farola apagada", run=False)
    known.send(photos=1, run=False)
    second_id = known.message.pk

    handle_message.call(second_id)  # a worker picks the later message first

    report = known.state["report"]
    assert report["description"] == ["Hay una farola apagada"]
    assert report["photos"] == 1
    assert known.state["step"] == "report.photos"
    assert first == []
    replies = known.outbox(after=second_id - 1)
    assert [m.text.split(".")[0] for m in replies] == [
        "Si tiene fotos del problema, envíelas ahora",
        "Foto recibida (1)",
    ]


def test_a_message_is_answered_once(known):
    replies = known.send("ayuda")

    assert handle_message.call(known.message.pk) == 0
    assert known.outbox(after=replies[0].pk) == []


def test_a_conversation_the_dialog_never_saw_does_not_replay_its_history(resident):
    resident.send("Farola apagada", run=False)
    resident.send("Otra farola apagada", run=False)
    old = resident.message.pk - 1

    handle_message.call(resident.message.pk)

    assert resident.state["handled"] == [resident.message.pk]
    assert Message.objects.filter(direction=Direction.OUT).count() == 1
    assert resident.state["pending"] == [resident.message.pk]
    assert old not in resident.state["handled"]


def test_an_edited_message_gets_no_second_answer(known):
    inbound_count = Message.objects.filter(direction=Direction.OUT).count()
    known.send("Farola apagada", run=False)
    Message.objects.filter(pk=known.message.pk).update(payload={"edited": True})

    handle_message.call(known.message.pk)

    assert Message.objects.filter(direction=Direction.OUT).count() == inbound_count


def test_a_failure_is_answered_politely_and_the_state_is_kept(known):
    known.send("menú")
    known.tap("Comunicar incidencia")
    state = dict(known.state)

    boom = mock.Mock(side_effect=RuntimeError("boom"))
    describe = dataclasses.replace(STEPS[StepName.REPORT_DESCRIBE], handle=boom)
    with mock.patch.dict(STEPS, {StepName.REPORT_DESCRIBE: describe}):
        replies = known.send("Hay una farola apagada")

    assert replies[0].text.startswith("Lo sentimos, algo ha fallado")
    assert known.state["step"] == state["step"] == "report.describe"
    assert known.message.pk in known.state["handled"]


def test_a_new_message_queues_the_dialog(known, immediate_tasks):
    known.send("Farola apagada en la plaza", run=False)

    enqueue_dialog(message=known.message)

    assert "Entendemos que se trata de" in known.outbox()[-1].text


def test_outbound_messages_are_not_given_to_the_dialog(known, immediate_tasks):
    outbound = known.outbox()[-1]

    with mock.patch("ventanilla.conversations.tasks.handle_message") as task:
        enqueue_dialog(message=outbound)

    task.enqueue.assert_not_called()


def test_line_reply_token_is_used_once(town):
    from ventanilla.channels.adapters.base import InboundMessage
    from ventanilla.conversations.services import record_inbound
    from ventanilla.conversations.tests.chat import make_channel

    line = make_channel(town.council, "line")
    message = record_inbound(
        channel=line,
        inbound=InboundMessage(
            provider_message_id="l-1",
            urn="line:U" + "b" * 32,
            text="English please",
            reply_token="token-1",
        ),
    )

    handle_message.call(message.pk)

    replies = Message.objects.filter(direction=Direction.OUT).order_by("pk")
    assert [m.payload.get("reply_token") for m in replies] == ["token-1", None]


class TestCommandHook:
    @pytest.fixture(autouse=True)
    def no_commands(self):
        """Start without the commands the project added; put them back after."""
        added = commands.registered()
        for command in added:
            commands.remove(command)
        yield
        for command in commands.registered():
            commands.remove(command)
        for command in added:
            commands.add(command)

    @pytest.fixture
    def support(self):
        calls = []

        def handle_support(turn: Turn, words: list[str]) -> bool:
            calls.append(words)
            turn.reply("Apoyo registrado")
            return True

        commands.add(Command(words=("apoyo", "suport"), handle=handle_support))
        return calls

    def test_registered_command_is_handed_over(self, known, support):
        replies = known.send("Apoyo 2026-000007")

        assert replies[0].text == "Apoyo registrado"
        assert support == [["apoyo", "2026", "000007"]]

    def test_announced_command_without_handler_is_not_a_report(self, known):
        commands.add(Command(words=("apoyo", "suport")))

        replies = known.send("apoyo 2026-000007")

        assert replies[0].text.startswith("Esta opción estará disponible próximamente")
        assert not Case.objects.exists()

    def test_the_dialog_knows_no_command_words_of_its_own(self, known):
        replies = known.send("apoyo 2026-000007")

        assert not replies[0].text.startswith("Esta opción estará disponible próximamente")
