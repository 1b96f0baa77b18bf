"""SMS segments: GSM-7 when every character fits, else UCS-2; parts of 153 or 67."""

from __future__ import annotations

import pytest

from ventanilla.channels.segments import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("Hola", "GSM-7", 4, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("¿Qué? Ñoño, señor", "GSM-7", 17, 1),  # é, Ñ, ñ, ¿ are GSM-7 (á, ó, ú are not)
        ("€" * 80, "GSM-7", 160, 1),  # the euro sign takes two places
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape never ends a part
        ("Farola apagada", "GSM-7", 14, 1),
        ("Pasó", "UCS-2", 4, 1),  # one "ó" makes the whole text UCS-2
        ("á" * 70, "UCS-2", 70, 1),
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),
        ("á" * 135, "UCS-2", 135, 3),
        ("📎", "UCS-2", 2, 1),  # outside the BMP: a surrogate pair
        ("á" * 66 + "📎" + "á" * 66, "UCS-2", 134, 3),  # a pair never straddles two parts
        ("“Continuar”", "UCS-2", 11, 1),  # typographic quotes are not GSM-7
    ],
)
def test_count_segments(text, encoding, units, segments):
    counted = count_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)
