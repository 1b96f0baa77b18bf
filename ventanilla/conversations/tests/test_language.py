"""Choosing es/ca/en from commands, the text and the hint."""

from __future__ import annotations

import pytest

from ventanilla.conversations.language import choose_first_language, detect, language_command


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("English please", "en"),
        ("english", "en"),
        ("In English, please", "en"),
        ("en català", "ca"),
        ("En catala si us plau", "ca"),
        ("en español", "es"),
        ("Castellano por favor", "es"),
        ("ESPAÑOL", "es"),
        ("la farola en español", None),
        ("Hola", None),
        ("en Valencia hay una farola rota junto al río", None),
    ],
)
def test_language_command(text, code):
    assert language_command(text) == code


def test_language_command_only_offers_the_council_languages():
    assert language_command("English please", allowed=["es", "ca"]) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("La farola de mi calle está apagada", "es"),
        ("El fanal del meu carrer està apagat des d'ahir", "ca"),
        ("The streetlight on my street is broken", "en"),
        ("Bon dia", "ca"),
        ("Buenos días", "es"),
        ("Hola", None),  # too short to tell (langdetect says Turkish)
        ("ok", None),
        ("C'è una buca enorme in mezzo alla strada", None),  # Italian: not answered in ours
        ("Há um buraco enorme no meio da rua", None),
    ],
)
def test_detect(text, code):
    assert detect(text) == code


def test_detect_is_deterministic():
    text = "Hi ha molta brossa al costat del contenidor"
    assert {detect(text) for _ in range(5)} == {"ca"}


def test_switching_needs_more_words():
    assert detect("Street lamp broken", switching=True) is None
    assert detect("The street lamp on my corner is broken", switching=True) == "en"


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("Hola", "ca", "ca"),  # the hint stays when the text says nothing
        ("English please", "es", "en"),
        ("La farola de mi calle está apagada", "ca", "es"),
        ("Hola", "fr", "es"),  # not spoken here: the council's first language
    ],
)
def test_choose_first_language(text, current, expected):
    assert choose_first_language(text=text, current=current, allowed=["es", "ca", "en"]) == expected
