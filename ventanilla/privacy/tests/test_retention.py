"""Retention with frozen time: a dry run says what would change; a real run changes just that."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case
from ventanilla.cases.workflow import Status
from ventanilla.citizens.models import Identity
from ventanilla.conversations.models import Attachment, Message
from ventanilla.conversations.services import attach_messages_to_case
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.portal import services as portal_services
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.statistics import statistics
from ventanilla.privacy.models import DataType, RetentionRule, RetentionRun
from ventanilla.privacy.retention import apply_retention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Commands and services answer in the active language; these tests read English."""
    with translation.override("en"):
        yield


START = dt.datetime(2024, 1, 10, 10, tzinfo=dt.UTC)


def _report(town, resident, category, text, staff):
    resident.send(text, run=False)
    message = resident.message
    case = case_services.open_case(
        category=category, description=text, citizen=resident.citizen, address="Calle Mayor 3"
    )
    attach_messages_to_case(case=case, messages=[message.pk])
    portal_services.publish_case(case=case, by=None)
    for status in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        case_services.change_status(case=case, status=status)
    return case, message


@pytest.fixture
def town_with_history():
    with time_machine.travel(START, tick=False):
        town = make_town(retention_months=24)
        channel = make_channel(town.council, "whatsapp")
        lamp_resident = Resident(channel, name="Jacinta Borrell")
        bin_resident = Resident(channel, name="Osvaldo Peñalver")
        lamp_case, lamp_message = _report(
            town, lamp_resident, town.alumbrado, "La farola de Jacinta no luce", None
        )
        bin_case, bin_message = _report(
            town, bin_resident, town.residuos, "Contenedor lleno desde el lunes", None
        )
        bin_resident.send("", photos=1, run=False)
        photo = Attachment.objects.get(message=bin_resident.message)
        photo.file.save("bin.jpg", ContentFile(b"\xff\xd8 jpeg"), save=True)
        attach_messages_to_case(case=bin_case, messages=[bin_resident.message.pk])
    # Street lighting messages are kept six months; everything else the council's 24.
    RetentionRule.objects.create(
        council=town.council, data_type=DataType.MESSAGE_TEXT, category_code="alumbrado", months=6
    )
    return town, lamp_message, bin_message, photo, lamp_case, bin_case


def _counts(outcomes):
    return {o.data_type: o.count for o in outcomes}


def test_dry_run_says_what_would_change_and_changes_nothing(town_with_history):
    town, lamp_message, bin_message, photo, lamp_case, _ = town_with_history
    # the report and the three status notifications to its resident
    assert Message.objects.filter(case=lamp_case).count() == 4
    with time_machine.travel(START + dt.timedelta(days=240), tick=False):
        outcomes = apply_retention(council=town.council, dry_run=True)
    assert _counts(outcomes) == {
        "message_text": 4,
        "attachments": 0,
        "phone_numbers": 0,
        "closed_cases": 0,
        "issued_documents": 0,
    }
    lamp_message.refresh_from_db()
    assert lamp_message.text == "La farola de Jacinta no luce"
    assert not RetentionRun.objects.exists()


def test_a_category_rule_applies_before_the_councils_period(town_with_history):
    town, lamp_message, bin_message, photo, *_ = town_with_history
    with time_machine.travel(START + dt.timedelta(days=240), tick=False):
        apply_retention(council=town.council, dry_run=False)
    lamp_message.refresh_from_db()
    bin_message.refresh_from_db()
    assert lamp_message.text == "" and bin_message.text == "Contenedor lleno desde el lunes"
    assert Identity.objects.filter(council=town.council).count() == 2
    assert RetentionRun.objects.get().counts["message_text"] == 4


def test_after_the_councils_period_everything_personal_goes_and_counts_survive(
    town_with_history, django_capture_on_commit_callbacks
):
    town, lamp_message, bin_message, photo, lamp_case, bin_case = town_with_history
    path = photo.file.path
    day = START.date()
    before = statistics(town.council, start=day, end=day)
    later = START + dt.timedelta(days=750)
    with time_machine.travel(later, tick=False):
        dry = _counts(apply_retention(council=town.council, dry_run=True))
        with_text = Message.objects.filter(council=town.council).exclude(text="").count()
        assert dry == {
            "message_text": with_text,
            "attachments": 1,
            "phone_numbers": 2,
            "closed_cases": 2,
            "issued_documents": 0,
        }
        assert Message.objects.exclude(text="").exists()

        with django_capture_on_commit_callbacks(execute=True):
            real = _counts(apply_retention(council=town.council, dry_run=False))

    assert real == dry
    assert not Identity.objects.filter(council=town.council).exists()
    assert not Message.objects.filter(council=town.council).exclude(text="").exists()
    assert not Attachment.objects.exclude(file="").exists()
    assert not os.path.exists(path)
    for case in Case.objects.filter(pk__in=[lamp_case.pk, bin_case.pk]):
        assert (case.citizen, case.description, case.address) == (None, "", "")
    assert PublicRecord.objects.of(town.council).visible().count() == 2
    after = statistics(town.council, start=day, end=day)
    assert after.total == before.total and after.total.received == 2


def test_the_command_dry_run_prints_each_data_type(town_with_history, capsys):
    town, *_ = town_with_history
    with time_machine.travel(START + dt.timedelta(days=240), tick=False):
        call_command("retention", "--dry-run", "--council", town.council.slug)
    out = capsys.readouterr().out
    assert "dry run" in out
    assert "Message text and places: 4 would be anonymised (older than 2022-09-06" in out
    assert "(older than 2022-09-06; alumbrado 2024-03-06)" in out
    assert not RetentionRun.objects.exists()
