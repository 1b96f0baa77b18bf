"""Precision and recall of the redaction on the annotated corpus, per kind of data.

Recall of a kind: the share of its annotated pieces that no longer can be read after
redaction. A piece is counted once per place it appears; it is caught when each of its
words that identify is touched by a placeholder: every word of a name but its particles
and initials ("de", "la", "J."), every number of a house address (the street may stay),
every word of a phone, e-mail, identity number, account, card, plate or profile.

Precision of a placeholder: the share of the stretches of text it replaced that held
annotated personal data. The rest are words removed needlessly.

Kept rate of a kind of words that must survive (street names, places, brands, the
council's departments): the share of them left whole.

The redaction replaces stretches of text by placeholders and touches nothing else, so the
stretches are found by walking the redacted text along the original one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ventanilla.privacy.redaction import Placeholder
from ventanilla.privacy.tests.corpus import Keep, Kind, Message

_PLACEHOLDER_RE = re.compile("(" + "|".join(re.escape(p.value) for p in Placeholder) + ")")
_TOKEN_RE = re.compile(r"[^\W_]+")
_PARTICLES = frozenset("de del la las los el y i e da das do dos di van von der den le al".split())

Redactor = Callable[[str], str]


@dataclass(frozen=True)
class Region:
    """A stretch of the original text that a placeholder replaced."""

    start: int
    end: int
    placeholder: Placeholder


def align(original: str, redacted: str) -> tuple[list[bool], list[Region]]:
    """Return which characters of original survive in redacted, and the replaced regions."""
    kept = [False] * len(original)
    regions: list[Region] = []
    pieces = _PLACEHOLDER_RE.split(redacted)
    position = 0
    pending: Placeholder | None = None
    for index, piece in enumerate(pieces):
        if index % 2:
            pending = Placeholder(piece)
            continue
        last = index == len(pieces) - 1
        if index == 0:
            found = 0 if original.startswith(piece) else -1
        elif last:
            found = len(original) - len(piece) if original.endswith(piece) else -1
            found = found if found >= position else -1
        else:
            found = original.find(piece, position + (1 if piece and pending else 0))
        if found < 0:
            raise ValueError(f"redaction changed more than placeholders: {redacted!r}")
        if pending is not None:
            regions.append(Region(position, found, pending))
        for i in range(found, found + len(piece)):
            kept[i] = True
        position = found + len(piece)
    return kept, regions


def _spans(text: str, piece: str) -> list[tuple[int, int]]:
    """Return every place where piece appears in text as whole words."""
    start = r"(?<!\w)" if re.match(r"\w", piece) else ""
    end = r"(?!\w)" if re.search(r"\w$", piece) else ""
    return [m.span() for m in re.finditer(start + re.escape(piece) + end, text)]


def _identifying_tokens(kind: Kind, text: str, start: int) -> list[tuple[int, int]]:
    """Return the spans of the words of a piece of data that must not survive."""
    tokens = [(start + m.start(), start + m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
    if kind is Kind.NAME:
        return [(s, e) for s, e, w in tokens if len(w) > 1 and w.casefold() not in _PARTICLES]
    if kind is Kind.ADDRESS:
        return [(s, e) for s, e, w in tokens if any(c.isdigit() for c in w)]
    return [(s, e) for s, e, _ in tokens]


@dataclass
class Tally:
    """Counts for one kind of data or one placeholder."""

    total: int = 0
    good: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.good / self.total if self.total else 1.0


@dataclass
class Score:
    """Recall per kind of data, precision per placeholder, kept rate per kind of words."""

    recall: dict[Kind, Tally] = field(default_factory=dict)
    precision: dict[Placeholder, Tally] = field(default_factory=dict)
    kept: dict[Keep, Tally] = field(default_factory=dict)
    messages: int = 0
    languages: dict[str, int] = field(default_factory=dict)

    def table(self) -> str:
        """Return the figures as a plain-text table."""
        sizes = ", ".join(f"{lang} {n}" for lang, n in sorted(self.languages.items()))
        lines = [f"corpus: {self.messages} messages ({sizes})", ""]
        lines.append(f"{'personal data':<14}{'pieces':>8}{'caught':>8}{'recall':>9}")
        for kind in Kind:
            t = self.recall.get(kind, Tally())
            lines.append(f"{kind.value:<14}{t.total:>8}{t.good:>8}{t.rate:>9.1%}")
        lines += ["", f"{'placeholder':<14}{'placed':>8}{'on data':>8}{'precision':>10}"]
        for placeholder in Placeholder:
            t = self.precision.get(placeholder, Tally())
            lines.append(f"{placeholder.value:<14}{t.total:>8}{t.good:>8}{t.rate:>10.1%}")
        lines += ["", f"{'must survive':<14}{'words':>8}{'kept':>8}{'rate':>9}"]
        for keep in Keep:
            t = self.kept.get(keep, Tally())
            lines.append(f"{keep.value:<14}{t.total:>8}{t.good:>8}{t.rate:>9.1%}")
        return "\n".join(lines)

    def misses(self) -> str:
        """Return what was missed, removed needlessly or lost, one line each."""
        lines = []
        for kind, tally in self.recall.items():
            lines += [f"leaked {kind.value}: {miss}" for miss in tally.misses]
        for placeholder, tally in self.precision.items():
            lines += [f"needless {placeholder.value}: {miss}" for miss in tally.misses]
        for keep, tally in self.kept.items():
            lines += [f"lost {keep.value}: {miss}" for miss in tally.misses]
        return "\n".join(lines)


def score(messages: Iterable[Message], redactor: Redactor) -> Score:
    """Return the score of redactor on messages."""
    result = Score()
    for message in messages:
        result.messages += 1
        result.languages[message.language] = result.languages.get(message.language, 0) + 1
        text = unicodedata.normalize("NFC", message.text)
        redacted = redactor(text)
        kept, regions = align(text, redacted)
        data_spans: list[tuple[int, int]] = []
        for kind, piece in message.data:
            tally = result.recall.setdefault(kind, Tally())
            for start, end in _spans(text, piece):
                data_spans.append((start, end))
                tally.total += 1
                tokens = _identifying_tokens(kind, piece, start)
                if all(not all(kept[s:e]) for s, e in tokens):
                    tally.good += 1
                else:
                    tally.misses.append(f"{piece!r} in {redacted!r}")
        for region in regions:
            tally = result.precision.setdefault(region.placeholder, Tally())
            tally.total += 1
            if any(s < region.end and region.start < e for s, e in data_spans):
                tally.good += 1
            else:
                tally.misses.append(f"{text[region.start : region.end]!r} in {redacted!r}")
        for keep, piece in message.keep:
            tally = result.kept.setdefault(keep, Tally())
            for start, end in _spans(text, piece):
                tally.total += 1
                if all(kept[i] for i in range(start, end) if text[i].isalnum()):
                    tally.good += 1
                else:
                    tally.misses.append(f"{piece!r} in {redacted!r}")
    return result
