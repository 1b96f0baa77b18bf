"""Several workers answering one resident at once on PostgreSQL: one at a time, in order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.tasks import handle_message
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_messages_handled_by_racing_workers_are_answered_once_and_in_order():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency is a PostgreSQL property; SQLite serialises writers")
    town = make_town()
    resident = Resident(make_channel(town.council))
    resident.accept_notice()
    resident.send("menú")
    resident.tap("Comunicar incidencia")
    parts = [f"parte {n} de la descripción" for n in range(1, 7)]
    ids = []
    for part in parts:
        resident.send(part, run=False)
        ids.append(resident.message.pk)
    start = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def work(message_id: int) -> None:
        try:
            start.wait()
            handle_message.call(message_id)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in reversed(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    state = resident.state
    # in order: the first part describes; asked for photos, the second adds words; asked
    # where, the third is the address; the others answer the category question
    assert state["report"]["description"] == parts[:2]
    assert state["report"]["address"] == parts[2]
    assert state["step"] == "report.category"
    assert set(ids) <= set(state["handled"])
    answers = Message.objects.filter(direction=Direction.OUT, pk__gt=ids[0])
    assert answers.count() == len(ids)  # each message answered once
