"""Residents' rights: export everything, erase with four eyes, ask in the chat."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.cases.models import Case
from ventanilla.cases.workflow import Status
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.portal.models import Support
from ventanilla.portal.statistics import statistics
from ventanilla.privacy import documents, services
from ventanilla.privacy.models import RightsAuditEntry, RightsRequest
from ventanilla.privacy.tests.residents import (
    NAME,
    PHONE,
    TEXT,
    public_record,
    resident_with_history,
    today,
    traces,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Commands and services answer in the active language; these tests read English."""
    with translation.override("en"):
        yield


def _request(history, kind, by=None, via=RightsRequest.Via.STAFF):
    request, _ = services.receive_request(
        council=history.town.council,
        urn=history.resident.urn,
        kind=kind,
        via=via,
        by=history.staff if by is None else by,
    )
    return request


def test_export_holds_every_message_case_file_support_and_consent():
    history = resident_with_history()
    request = _request(history, RightsRequest.Kind.EXPORT)

    data = services.export_data(request=request, by=history.staff)

    sections = data["sections"]
    held = list(
        Message.objects.filter(conversation__citizen=history.resident.citizen).values_list(
            "text", flat=True
        )
    )
    assert len(held) >= 6  # notice, consent, report, photo, the bot's and staff's replies
    assert [m["text"] for m in sections["messages"]] == held
    assert sections["identities"][0]["address"] == f"whatsapp:{PHONE}"
    assert sections["resident"][0]["name"] == NAME
    assert sections["consent"][0]["given_at"]
    assert [c["reference"] for c in sections["cases"]] == [history.case.reference]
    assert TEXT in sections["cases"][0]["description"]
    assert sections["attachments"][0]["file_name"].startswith("remedios")
    assert [s["case"] for s in sections["supports"]] == [history.other_case.reference]
    request.refresh_from_db()
    assert request.status == RightsRequest.Status.DONE
    assert list(request.audit.values_list("action", flat=True)) == ["received", "exported"]


def test_export_documents_are_json_and_a_readable_pdf():
    history = resident_with_history()
    data = services.export_data(
        request=_request(history, RightsRequest.Kind.EXPORT), by=history.staff
    )
    assert json.loads(documents.as_json(data))["sections"]["resident"][0]["name"] == NAME
    pdf = documents.as_pdf(data)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_export_resident_command_writes_both_files(tmp_path):
    history = resident_with_history()
    call_command("export_resident", f"whatsapp:+{PHONE}", "--by", "sara", "--out", str(tmp_path))
    (json_file,) = tmp_path.glob("*.json")
    assert TEXT in json_file.read_text()
    assert list(tmp_path.glob("*.pdf"))
    assert RightsRequest.objects.get().via == RightsRequest.Via.COMMAND
    assert history.case.reference in json_file.read_text()


def test_an_agent_cannot_export():
    history = resident_with_history()
    from ventanilla.cases.tests.factories import make_staff

    agent = make_staff(council=history.town.council, username="agente")
    with pytest.raises(services.RightsError):
        _request(history, RightsRequest.Kind.EXPORT, by=agent)
    assert not RightsRequest.objects.exists()


def test_erasure_needs_a_second_person_and_audits_the_refusal():
    history = resident_with_history()
    request = _request(history, RightsRequest.Kind.ERASURE)
    services.ask_erasure(request=request, by=history.staff)

    with pytest.raises(services.RightsError, match="Another person"):
        services.approve_erasure(request=request, by=history.staff)

    request.refresh_from_db()
    assert request.status == RightsRequest.Status.AWAITING
    assert Message.objects.filter(conversation__citizen=history.resident.citizen).exists()
    assert RightsAuditEntry.objects.filter(
        request=request, action=RightsAuditEntry.Action.SAME_PERSON, actor=history.staff
    ).exists()


def test_erasure_leaves_no_trace_in_any_table_but_the_public_record_and_statistics_count():
    history = resident_with_history()
    before = statistics(history.town.council, start=today(), end=today())
    assert traces()  # the search finds the resident before erasure
    request = _request(history, RightsRequest.Kind.ERASURE)
    services.ask_erasure(request=request, by=history.staff)

    counts = services.approve_erasure(request=request, by=history.other_staff)

    assert traces() == []
    assert counts["messages"] >= 6 and counts["cases_anonymised"] == 1
    case = Case.objects.get(pk=history.case.pk)
    assert case.citizen is None and case.status == Status.RESOLVED and case.satisfaction == 4
    record = public_record(history.case)
    assert record.summary == "Farola que parpadea en la calle Mayor."
    assert record in type(record).objects.visible()
    assert Support.objects.filter(record=public_record(history.other_case)).count() == 1
    after = statistics(history.town.council, start=today(), end=today())
    assert after.total == before.total
    assert after.total.received == 2
    request.refresh_from_db()
    assert (request.status, request.urn) == (RightsRequest.Status.DONE, "")
    assert list(request.audit.values_list("action", flat=True)) == [
        "received",
        "erasure_asked",
        "approved",
        "erased",
    ]


def test_erase_resident_command_with_four_eyes():
    history = resident_with_history()
    urn = history.resident.urn
    call_command("erase_resident", urn, "--by", "sara")
    with pytest.raises(CommandError, match="Another person"):
        call_command("erase_resident", urn, "--by", "sara", "--approve")
    call_command("erase_resident", urn, "--by", "alberto", "--approve")
    assert traces() == []
    with pytest.raises(CommandError, match="No resident"):
        call_command("export_resident", urn, "--by", "sara")


def test_approve_without_a_request_changes_nothing():
    history = resident_with_history()
    with pytest.raises(CommandError, match="awaits approval"):
        call_command("erase_resident", history.resident.urn, "--by", "alberto", "--approve")
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize(
    ("language", "ask_data", "ask_erasure", "heard"),
    [
        ("es", "mis datos", "borrar mis datos", "Hemos recibido su solicitud"),
        ("ca", "les meves dades", "esborrar les meves dades", "Hem rebut la vostra"),
        ("en", "my data", "delete my data", "We have received your request"),
    ],
)
def test_residents_ask_in_the_chat_and_hear_the_deadline(language, ask_data, ask_erasure, heard):
    town = make_town()
    resident = Resident(make_channel(town.council, "whatsapp"), language_hint=language)
    resident.accept_notice({"es": "Hola", "ca": "Bon dia", "en": "Hello"}[language])

    replies = resident.send(ask_data)
    (export,) = RightsRequest.objects.filter(kind=RightsRequest.Kind.EXPORT)
    said = "\n".join(m.text for m in replies)
    assert heard in said and f" {export.pk})" in said
    assert export.via == RightsRequest.Via.CHAT and export.requested_by is None
    assert export.due_at - export.received_at >= dt.timedelta(days=28)

    resident.send(ask_erasure)
    again = resident.send(ask_erasure)
    (erasure,) = RightsRequest.objects.filter(kind=RightsRequest.Kind.ERASURE)
    assert f" {erasure.pk};" in "\n".join(m.text for m in again)
    assert erasure.status == RightsRequest.Status.RECEIVED


def test_a_sentence_that_starts_like_a_request_is_not_one():
    history = resident_with_history()
    history.resident.send("mis datos de contacto han cambiado")
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC), dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 15, 9, tzinfo=dt.UTC), dt.datetime(2027, 1, 15, 9, tzinfo=dt.UTC)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert services.add_months(received, 1) == due
