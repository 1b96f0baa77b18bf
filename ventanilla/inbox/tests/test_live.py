import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from ventanilla.cases import services
from ventanilla.cases.tests.factories import make_case
from ventanilla.conversations.services import queue_outbound
from ventanilla.core.models import LiveEvent
from ventanilla.inbox import live
from ventanilla.inbox.tests.factories import (
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

# The hub reads from its own thread and connection: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def collect(generator, until: float) -> tuple[list[str], threading.Thread]:
    """Run ``generator`` in a thread; return the list it fills and the thread."""
    chunks: list[str] = []

    def run() -> None:
        for chunk in generator:
            chunks.append(chunk)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return chunks, thread


def wait_for(predicate, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_new_case_reaches_an_open_stream_within_two_seconds(town, live_hub):
    after = live.latest_event_id()
    department_ids = {town.dept_a.pk}
    stream = live.stream(
        council_id=town.council.pk,
        visible=lambda item: item.department_id in department_ids,
        after=after,
        live_hub=live_hub,
        seconds=3,
    )
    chunks, thread = collect(stream, 3)
    assert wait_for(lambda: chunks)  # "retry:" first: the stream is open
    time.sleep(0.3)
    started = time.monotonic()
    hidden = make_case(category=town.category_b)
    shown = make_case(category=town.category_a)
    assert wait_for(lambda: any(shown.reference in c for c in chunks))
    assert time.monotonic() - started < 2
    thread.join(5)
    text = "".join(chunks)
    assert "event: case" in text and f'"reference": "{shown.reference}"' in text
    assert hidden.reference not in text
    last_id = LiveEvent.objects.order_by("-id").first().pk
    assert text.rstrip().endswith(f"id: {last_id}") or f"id: {last_id}\n" in text


def test_a_note_reaches_the_stream_with_its_case(town, live_hub):
    case = make_case(category=town.category_a)
    # An in-memory SQLite test database cannot be shared with a hub thread of its own (see
    # live.default_source); there the stream reads the table itself, as in the demo's tests.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    source = live.PollingSource(poll_seconds=0.1) if in_memory else live_hub
    stream = live.stream(
        council_id=town.council.pk,
        visible=lambda item: True,
        after=live.latest_event_id(),
        live_hub=source,
        seconds=10,  # room for a loaded machine: the assertion waits at most 9 s
    )
    chunks, thread = collect(stream, 10)
    assert wait_for(lambda: chunks)
    services.add_note(case=case, author=town.agent_a, text="nota")
    assert wait_for(lambda: "event: note" in "".join(chunks), timeout=9)
    thread.join(10)
    assert case.reference in "".join(chunks)


def test_an_in_memory_stream_waits_for_a_writer_instead_of_failing(town):
    """In-memory SQLite shares one cache: a reader that meets a writer fails unless it waits."""
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        pytest.skip("only an in-memory SQLite database locks a table against its readers")
    make_case(category=town.category_a)
    after = live.latest_event_id()
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():
            LiveEvent.objects.create(council=town.council, kind="case", data={"reference": "W"})
            writing.set()
            release.wait(5)
        connection.close()  # this thread's own connection

    holder = threading.Thread(target=writer, daemon=True)
    holder.start()
    assert writing.wait(5)
    threading.Timer(0.3, release.set).start()
    source = live.PollingSource(poll_seconds=0.05)
    text = "".join(
        live.stream(
            council_id=town.council.pk,
            visible=lambda item: True,
            after=after,
            live_hub=source,
            seconds=0.5,
        )
    )
    holder.join(5)
    assert '"reference": "W"' in text


def test_catch_up_resumes_after_last_event_id(town):
    first = make_case(category=town.category_a)
    first_event = LiveEvent.objects.order_by("-id").first().pk
    second = make_case(category=town.category_a)
    client = signed_in(town.agent_a)
    live.STREAM_SECONDS, saved = 0.3, live.STREAM_SECONDS
    try:
        response = client.get("/inbox/live/", HTTP_LAST_EVENT_ID=str(first_event))
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-cache"
        text = b"".join(response.streaming_content).decode()
    finally:
        live.STREAM_SECONDS = saved
    assert second.reference in text and first.reference not in text


def test_the_stream_shows_an_agent_only_their_departments(town):
    after = live.latest_event_id()
    theirs = make_case(category=town.category_b)
    ours = make_case(category=town.category_a)
    live.STREAM_SECONDS, saved = 0.3, live.STREAM_SECONDS
    try:
        agent = b"".join(
            signed_in(town.agent_a).get("/inbox/live/", {"after": after}).streaming_content
        ).decode()
        supervisor = b"".join(
            signed_in(town.supervisor).get("/inbox/live/", {"after": after}).streaming_content
        ).decode()
    finally:
        live.STREAM_SECONDS = saved
    assert ours.reference in agent and theirs.reference not in agent
    assert ours.reference in supervisor and theirs.reference in supervisor


def test_an_outbound_message_event_carries_the_case_reference(town):
    case = make_case(category=town.category_a, urn="telegram:6161")
    make_conversation(channel=make_channel(council=town.council), urn="telegram:6161")
    chat = case.citizen.conversations.get()
    make_message(case=case, conversation=chat)
    after = live.latest_event_id()
    queue_outbound(conversation=chat, text="Hola", case=case, author=town.agent_a)
    items = live.to_items(list(LiveEvent.objects.filter(id__gt=after, kind="message")))
    assert [(i.reference, i.department_id) for i in items] == [(case.reference, town.dept_a.pk)]


def test_signed_out_event_streams_get_204_so_the_browser_stops(client):
    response = client.get("/inbox/live/", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 204


def test_the_hub_stops_when_nobody_listens(town, live_hub):
    seq = live_hub.subscribe()
    assert live_hub._thread is not None and live_hub._thread.is_alive()
    live_hub.unsubscribe()
    assert wait_for(lambda: live_hub._thread is None, timeout=2)
    assert seq == 0


def test_the_hub_prunes_old_events_at_most_once_per_period(town, settings):
    settings.LIVE_EVENTS_KEEP_MINUTES = 60
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    later = start + dt.timedelta(minutes=90)

    def event_at(when: dt.datetime) -> None:
        with time_machine.travel(when, tick=False):
            LiveEvent.objects.create(council=town.council, kind="case", data={})

    LiveEvent.objects.all().delete()
    hub = live.LiveHub(prune_seconds=300)
    event_at(start)
    event_at(later)
    with time_machine.travel(later, tick=False):
        hub._prune_if_due()
        assert LiveEvent.objects.count() == 1
        event_at(start)
        event_at(later)
        hub._prune_if_due()  # pruned a moment ago: not yet
        assert LiveEvent.objects.count() == 3
        assert hub._pruned_at is not None
        hub._pruned_at -= 300
        hub._prune_if_due()
        assert LiveEvent.objects.count() == 2
