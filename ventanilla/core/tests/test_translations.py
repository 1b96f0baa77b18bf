"""Everything a person reads exists in Spanish, Catalan and English."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def catalogue(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", ["es", "ca"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    messages = [m for m in catalogue(language) if m.id]
    assert len(messages) > 500
    missing = [m.id for m in messages if not m.string or not all(m.string) or m.fuzzy]
    assert missing == []


@pytest.mark.parametrize("language", ["es", "ca"])
def test_compiled_catalogue_matches_its_source(language):
    compiled = gettext.GNUTranslations(
        open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb")  # noqa: SIM115
    )
    for message in catalogue(language):
        if message.id and not message.pluralizable:
            found = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            assert found == message.string, message.id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [("es", "Acceso del personal"), ("ca", "Accés del personal"), ("en", "Staff sign-in")],
)
def test_sign_in_page_speaks_the_visitors_language(accept, expected):
    page = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/inbox/login/").content.decode()
    assert expected in page


@pytest.mark.django_db
def test_spanish_comes_first_for_a_visitor_without_preference():
    assert "Acceso del personal" in Client().get("/inbox/login/").content.decode()


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)"
)
def test_catalogues_hold_every_string_of_the_source(tmp_path):
    """A new string without its Spanish and Catalan line fails here, not in front of a resident."""
    package = LOCALE.parent
    copy = tmp_path / "ventanilla"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ventanilla.settings"},
    )
    with open(copy / "locale" / "es" / "LC_MESSAGES" / "django.po", "rb") as po:
        extracted = {(m.context, m.id) for m in read_po(po) if m.id}
    committed = {(m.context, m.id) for m in catalogue("es") if m.id}
    assert sorted(map(str, extracted - committed)) == []
