"""`ventanilla add_council` and the council lookup every command shares."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.core.batch_reads import read_once
from ventanilla.core.councils import council_for_command
from ventanilla.core.models import Council

pytestmark = pytest.mark.django_db


def add_council(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("add_council", *args, stdout=out)
    return out.getvalue()


def test_add_council_creates_it_and_says_what_to_do_next():
    output = add_council(
        "--name=Ajuntament de Vilanova",
        "--slug=vilanova",
        "--domain=Vilanova.example.cat",
        "--languages=ca,es",
        "--time-zone=Europe/Madrid",
    )

    council = Council.objects.get(slug="vilanova")
    assert council.name == "Ajuntament de Vilanova"
    assert council.domain == council.jurisdiction_id == "vilanova.example.cat"
    assert council.language_codes == ["ca", "es"]
    assert council.time_zone == "Europe/Madrid"
    assert "add_staff USERNAME --council vilanova --role administrator" in output
    assert "add_channel telegram --council vilanova" in output


def test_add_council_defaults_to_the_installations_languages_and_time_zone(settings):
    settings.TIME_ZONE = "Atlantic/Canary"
    add_council("--name=Teror", "--slug=teror", "--domain=teror.example.es")

    council = Council.objects.get(slug="teror")
    assert council.language_codes == ["es", "ca", "en"]
    assert council.time_zone == "Atlantic/Canary"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time-zone=Europe/Vilanova"], "Unknown time zone 'Europe/Vilanova'"),
        (["--languages=es,fr"], "Unknown language.*fr; choose among es, ca, en"),
        (["--slug=no slug"], "not a valid slug"),
        (["--domain= "], "needs the domain"),
    ],
)
def test_add_council_refuses_what_it_cannot_use(args, message):
    base = {"--name": "Vilanova", "--slug": "vilanova", "--domain": "vilanova.example.cat"}
    for arg in args:
        key, value = arg.split("=", 1)
        base[key] = value
    with pytest.raises(CommandError, match=message):
        add_council(*(f"{key}={value}" for key, value in base.items()))
    assert not Council.objects.exists()


def test_add_council_refuses_a_duplicate_slug_or_domain():
    add_council("--name=Vilanova", "--slug=vilanova", "--domain=vilanova.example.cat")

    with pytest.raises(CommandError, match="already a council with slug 'vilanova'"):
        add_council("--name=Otra", "--slug=vilanova", "--domain=otra.example.cat")
    with pytest.raises(CommandError, match="already a council serving vilanova.example.cat"):
        add_council("--name=Otra", "--slug=otra", "--domain=VILANOVA.example.cat")
    assert Council.objects.count() == 1


def test_council_for_command_takes_the_only_council_or_the_named_one():
    add_council("--name=Uno", "--slug=uno", "--domain=uno.example.es")
    assert council_for_command().slug == "uno"
    add_council("--name=Dos", "--slug=dos", "--domain=dos.example.es")
    assert council_for_command("dos").slug == "dos"
    with translation.override("en"):
        with pytest.raises(CommandError, match=r"several councils.*--council SLUG \(dos, uno\)"):
            council_for_command()
        with pytest.raises(CommandError, match="No council with slug 'tres'. Councils: dos, uno"):
            council_for_command("tres")


@pytest.mark.parametrize(
    "command",
    [
        ["add_channel", "telegram", "--name=Bot", "--bot-token=1:a", "--secret-token=s"],
        ["add_staff", "ana", "--role=administrator"],
        ["add_department", "Policía Local"],
        ["add_category", "noise", "--department=Policía Local", "--name=Ruido"],
        ["open311_key", "villa"],
        ["publish_cases", "villa"],
    ],
)
def test_every_command_that_needs_a_council_says_how_to_create_one(command):
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command(*command, stdout=io.StringIO())
    assert "There is no council yet" in str(raised.value)
    assert "ventanilla add_council --name NAME --slug SLUG --domain DOMAIN" in str(raised.value)


def test_a_batch_reads_a_councils_holidays_once_and_the_next_one_sees_a_new_holiday(
    django_assert_num_queries,
):
    add_council("--name=Vilanova", "--slug=vilanova", "--domain=vilanova.example.cat")
    council = Council.objects.get(slug="vilanova")
    council.holidays.create(date=dt.date(2026, 12, 8), name="Inmaculada")
    with read_once():
        with django_assert_num_queries(1):
            first = council.holiday_dates()
            assert council.holiday_dates() == first == {dt.date(2026, 12, 8)}
        council.holidays.create(date=dt.date(2026, 12, 25), name="Navidad")
        assert council.holiday_dates() == first  # the batch keeps what it read
    assert council.holiday_dates() == {dt.date(2026, 12, 8), dt.date(2026, 12, 25)}
