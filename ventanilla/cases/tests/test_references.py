"""How residents write reference numbers, and what ``find_references`` reads in them."""

from __future__ import annotations

import pytest

from ventanilla.cases.references import find_references, is_reference_prefix


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2026-000123", ["2026-000123"]),
        ("estado 2026-123", ["2026-000123"]),
        ("apoyo 2026 – 123 por favor", ["2026-000123"]),  # a phone's dash, spaced
        ("2026/000123", ["2026-000123"]),
        ("2026 123", ["2026-000123"]),
        ("ref.2026-7, y 1999-45", ["2026-000007", "1999-000045"]),
        ("2026-1234567", []),  # too long to be a number of ours
        ("12026-123", []),
        ("la calle 123", []),
        ("", []),
    ],
)
def test_find_references(text, found):
    assert find_references(text) == found


def test_a_reference_prefix_is_what_staff_type_to_search():
    assert is_reference_prefix("2026-0001")
    assert not is_reference_prefix("2026 0001")
    assert not is_reference_prefix("farola 2026-1")
