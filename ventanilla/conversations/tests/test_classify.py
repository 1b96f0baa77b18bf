"""Category suggestions from keywords: accents, case, plurals, ranking."""

from __future__ import annotations

import pytest

from ventanilla.conversations.classify import is_clear, suggest_categories, words
from ventanilla.core.batch_reads import read_once


def names(candidates):
    return [c.category.code for c in candidates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FAROLAS apagadas", ["alumbrado"]),
        ("Hay un socavón en el ASFALTO", ["baches"]),
        ("contenedores llenos de basura", ["residuos"]),
        ("L'enllumenat i el fanal del carrer", ["alumbrado"]),
        ("the bin is full", ["residuos"]),
        ("binary data", []),  # short keywords match whole words only
        ("Me gusta la calle", []),
    ],
)
def test_suggestions(town, text, expected):
    assert names(suggest_categories(council=town.council, text=text)) == expected


def test_accents_in_keywords_and_text_are_ignored(town):
    town.baches.keywords = "socavón\nbaldosa"
    town.baches.save()

    assert names(suggest_categories(council=town.council, text="SOCAVON enorme")) == ["baches"]


def test_multi_word_keywords_match_the_sequence(town):
    town.otros.keywords = "coche abandonado"
    town.otros.save()

    assert names(suggest_categories(council=town.council, text="un coche abandonado")) == ["otros"]
    assert names(suggest_categories(council=town.council, text="un coche")) == []


def test_ranking_and_clarity(town):
    candidates = suggest_categories(
        council=town.council, text="farola sin luz y un contenedor volcado"
    )

    assert names(candidates) == ["alumbrado", "residuos"]
    assert candidates[0].score == 2 * candidates[1].score
    assert is_clear(candidates)
    assert not is_clear(suggest_categories(council=town.council, text="farola y contenedor"))


def test_inactive_categories_are_never_suggested(town):
    town.alumbrado.active = False
    town.alumbrado.save()

    assert suggest_categories(council=town.council, text="farola") == []


def test_a_batch_of_reports_reads_the_categories_once_and_the_next_sees_a_change(
    town, django_assert_num_queries
):
    with read_once():
        with django_assert_num_queries(1):
            assert names(suggest_categories(council=town.council, text="farola")) == ["alumbrado"]
            assert names(suggest_categories(council=town.council, text="bache")) == ["baches"]
        town.otros.keywords = "grafiti"
        town.otros.save()
        assert suggest_categories(council=town.council, text="un grafiti") == []  # as read
    assert names(suggest_categories(council=town.council, text="un grafiti")) == ["otros"]


def test_words_split_apostrophes_and_fold_accents():
    assert words("L'aigua, la ÑORA y el camión") == [
        "l",
        "aigua",
        "la",
        "nora",
        "y",
        "el",
        "camion",
    ]
