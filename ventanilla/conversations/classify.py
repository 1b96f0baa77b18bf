"""Suggest a category from what a resident wrote, with each category's keywords.

Matching ignores case and accents. A keyword of five letters or more also matches words
that start with it ("contenedor" matches "contenedores", "farola" matches "farolas");
shorter ones must match a whole word ("bin" must not match "binario"). A keyword of several
words matches that sequence. Words of the category's own names count too, for less.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ventanilla.cases.models import Category
from ventanilla.conversations.language import fold
from ventanilla.core import batch_reads
from ventanilla.core.models import Council

PREFIX_MIN_LENGTH = 5
KEYWORD_WEIGHT = 1.0
NAME_WEIGHT = 0.5
#: words of category names too common to suggest anything
NAME_STOPWORDS = frozenset(
    {"otros", "altres", "other", "public", "publico", "publica", "local", "servicios", "serveis"}
)
_WORD = re.compile(r"[a-z0-9]+")  # apostrophes split: "l'aigua" holds "aigua"


@dataclass(frozen=True)
class Candidate:
    category: Category
    score: float
    matched: tuple[str, ...]


def words(text: str) -> list[str]:
    """Return the accent-free, lower-case words of ``text``."""
    return _WORD.findall(fold(text))


def _matches(term: Sequence[str], tokens: Sequence[str]) -> bool:
    if not term:
        return False
    size = len(term)
    for start in range(len(tokens) - size + 1):
        window = tokens[start : start + size]
        if all(_word_matches(t, w) for t, w in zip(term, window, strict=True)):
            return True
    return False


def _word_matches(term: str, word: str) -> bool:
    if len(term) >= PREFIX_MIN_LENGTH:
        return word.startswith(term)
    return word == term


def _terms(category: Category) -> Iterable[tuple[tuple[str, ...], float]]:
    seen: set[tuple[str, ...]] = set()
    for line in category.keywords.splitlines():
        term = tuple(words(line))
        if term and term not in seen:
            seen.add(term)
            yield term, KEYWORD_WEIGHT
    for name in (category.name_es, category.name_ca, category.name_en):
        for word in words(name):
            if len(word) >= PREFIX_MIN_LENGTH and word not in NAME_STOPWORDS:
                term = (word,)
                if term not in seen:
                    seen.add(term)
                    yield term, NAME_WEIGHT


def score_category(
    category: Category, terms: Sequence[tuple[tuple[str, ...], float]], tokens: Sequence[str]
) -> Candidate:
    """Return how well ``tokens`` fit ``category``, whose weighed terms are ``terms``."""
    score = 0.0
    matched: list[str] = []
    for term, weight in terms:
        if _matches(term, tokens):
            score += weight
            matched.append(" ".join(term))
    return Candidate(category=category, score=score, matched=tuple(matched))


def suggest_categories(*, council: Council, text: str, limit: int = 3) -> list[Candidate]:
    """Return the active categories ``text`` suggests, best first (ties by name)."""
    tokens = words(text)
    if not tokens:
        return []
    # A batch of residents' reports reads the categories, and folds their words, once.
    categories = batch_reads.once(
        ("category_terms", council.pk),
        lambda: [
            (category, tuple(_terms(category)))
            for category in Category.objects.of(council).active().select_related("department")
        ],
    )
    candidates = [score_category(category, terms, tokens) for category, terms in categories]
    ranked = sorted(
        (c for c in candidates if c.score > 0),
        key=lambda c: (-c.score, c.category.name_es),
    )
    return ranked[:limit]


def is_clear(candidates: Sequence[Candidate]) -> bool:
    """Return whether the best candidate stands out enough to just ask for a yes."""
    if not candidates:
        return False
    if len(candidates) == 1:
        return candidates[0].score >= KEYWORD_WEIGHT
    return candidates[0].score >= 2 * candidates[1].score
