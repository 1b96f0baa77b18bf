"""Every case is entered in the registry when it arrives; its owner gets the receipt in
the chat ("justificante 2026-000123"), a PDF verifiable by its CSV code."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from ventanilla.cases.tests.factories import make_case
from ventanilla.conversations.tests.chat import Resident, local, make_channel, texts
from ventanilla.procedures.codes import format_csv
from ventanilla.procedures.models import IssuedDocument, RegistryEntry


def test_every_new_case_gets_the_next_entry_of_its_council_and_year(town):
    first = make_case(category=town.alumbrado)
    second = make_case(category=town.baches)
    entries = RegistryEntry.objects.order_by("number")
    assert [(e.case, e.year, e.number) for e in entries] == [(first, 2026, 1), (second, 2026, 2)]
    assert entries[0].label == "RE-2026-000001"


def test_a_case_that_failed_leaves_no_gap_in_the_registry(town):
    first = make_case(category=town.alumbrado)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(category=town.baches)
        raise IntegrityError("a later write of the same transaction refused")
    after = make_case(category=town.baches)
    entries = RegistryEntry.objects.order_by("number")
    assert [(e.case, e.number) for e in entries] == [(first, 1), (after, 2)]


def test_a_case_arriving_at_night_is_entered_at_the_time_it_arrived(town):
    night = local(2026, 3, 14, 23, 40)  # a Saturday night: the office is closed
    with time_machine.travel(night, tick=False):
        case = make_case(category=town.alumbrado)
    assert RegistryEntry.objects.get(case=case).entered_at == night


def test_the_owner_gets_the_receipt_and_nobody_else_does(town):
    channel = make_channel(town.council, "telegram")
    owner = Resident(channel)
    owner.accept_notice()
    case = make_case(
        category=town.alumbrado,
        urn=owner.conversation_urn,
        description="Farola apagada en la plaza",
    )
    replies = owner.send(f"justificante {case.reference}")

    document = IssuedDocument.objects.get()
    assert replies[0].payload["attachment"]["content_type"] == "application/pdf"
    assert "RE-2026-000001" in texts(replies) and format_csv(document.csv) in texts(replies)
    text = PdfReader(io.BytesIO(bytes(document.pdf))).pages[0].extract_text()
    assert "RE-2026-000001" in text and "Farola apagada en la plaza" in text
    assert format_csv(document.csv) in text

    stranger = Resident(channel)
    stranger.accept_notice()
    theirs = texts(stranger.send(f"justificante {case.reference}")).replace(case.reference, "N")
    nothing = texts(stranger.send("justificante 2026-999999")).replace("2026-999999", "N")
    assert theirs == nothing == "No encontramos ninguna incidencia suya con el número N."
    assert IssuedDocument.objects.count() == 1
