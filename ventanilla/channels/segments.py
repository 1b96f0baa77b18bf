"""How many SMS segments a text costs: GSM-7 when every character fits, else UCS-2.

A single SMS holds 160 GSM-7 characters or 70 UCS-2 code units; a longer text is split into
parts of 153 or 67 (the rest of each part carries the header that joins them). In GSM-7 the
characters of the extension table (``€``, ``[``, ``{`` ...) take two places, and a part never
ends between the escape and its character. In UCS-2 a character outside the Basic
Multilingual Plane (most emoji) takes two code units, and a part never splits such a pair.
The counts follow 3GPP TS 23.038 and what carriers bill (Twilio counts the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: the GSM 03.38 basic character set (one septet each)
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: the extension table (an escape and the character: two septets each)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class SegmentCount:
    """What an SMS text costs: its encoding, its length in that encoding, its segments."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int


def count_segments(text: str) -> SegmentCount:
    """Return the encoding, length and number of SMS segments of ``text``."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        widths = [2 if c in GSM7_EXTENDED else 1 for c in text]
        return _split("GSM-7", widths)
    return _split("UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text])


def _split(encoding: Literal["GSM-7", "UCS-2"], widths: list[int]) -> SegmentCount:
    units = sum(widths)
    if units == 0:
        return SegmentCount(encoding, 0, 0)
    if units <= SINGLE[encoding]:
        return SegmentCount(encoding, units, 1)
    part = PART[encoding]
    segments, used = 1, 0
    for width in widths:  # a two-unit character never straddles two parts
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return SegmentCount(encoding, units, segments)
