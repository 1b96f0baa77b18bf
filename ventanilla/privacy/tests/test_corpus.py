"""The redaction measured on the annotated corpus: the targets of issue 15.

``bench/redaction.py`` prints the same figures as a table, with every miss.
"""

import re

import pytest

from ventanilla.privacy.redaction import Placeholder, redact
from ventanilla.privacy.tests.corpus import COUNCIL_WORDS, HELD_OUT, MESSAGES, Keep, Kind
from ventanilla.privacy.tests.scoring import Score, align, score


@pytest.fixture(scope="module")
def result() -> Score:
    return score(MESSAGES, lambda text: redact(text, keep=COUNCIL_WORDS))


def test_corpus_has_three_hundred_messages_in_three_languages():
    languages = {m.language for m in MESSAGES}

    assert len(MESSAGES) >= 300
    assert languages == {"es", "ca", "en"}
    assert all(sum(m.language == lang for m in MESSAGES) >= 50 for lang in languages)


def test_every_annotation_is_in_its_message():
    for message in MESSAGES + HELD_OUT:
        for _, piece in message.data + message.keep:
            assert re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", message.text), (piece, message)


def test_names_are_caught_at_least_ninety_five_percent(result):
    assert result.recall[Kind.NAME].rate >= 0.95, result.misses()


def test_street_names_are_kept_at_least_ninety_eight_percent(result):
    assert result.kept[Keep.STREET].rate >= 0.98, result.misses()


@pytest.mark.parametrize("kind", [kind for kind in Kind if kind is not Kind.NAME])
def test_every_other_kind_of_personal_data_is_caught(result, kind):
    assert result.recall[kind].total > 0
    assert result.recall[kind].rate == 1.0, result.misses()


@pytest.mark.parametrize("keep", [Keep.PLACE, Keep.BRAND, Keep.DEPARTMENT])
def test_places_brands_and_departments_are_kept(result, keep):
    assert result.kept[keep].rate >= 0.95, result.misses()


def test_names_removed_are_mostly_names(result):
    assert result.precision[Placeholder.NAME].rate >= 0.95, result.misses()


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.text[:40])
def test_redacting_a_corpus_message_twice_changes_nothing(message):
    once = redact(message.text, keep=COUNCIL_WORDS)

    assert redact(once, keep=COUNCIL_WORDS) == once


def test_alignment_finds_what_each_placeholder_replaced():
    kept, regions = align("soy Ana, tlf 600111222.", "soy [nombre], tlf [teléfono].")

    assert [(r.start, r.end, r.placeholder.value) for r in regions] == [
        (4, 7, "[nombre]"),
        (13, 22, "[teléfono]"),
    ]
    assert kept[:4] == [True] * 4 and not any(kept[4:7])


def test_table_names_every_kind(result):
    table = result.table()

    assert all(kind.value in table for kind in Kind)
    assert "corpus: " in table
