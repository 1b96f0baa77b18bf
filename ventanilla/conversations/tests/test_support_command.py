"""'apoyo 2026-000123' from the chat supports a public case, once per resident."""

from __future__ import annotations

from ventanilla.cases.tests.factories import make_case
from ventanilla.conversations.tests.chat import Resident
from ventanilla.portal.models import PublicRecord


def test_a_resident_supports_a_public_case_once(known, channel, town):
    case = make_case(category=town.alumbrado, urn="tel:+34699000111")  # someone else's report
    neighbour = Resident(channel)
    neighbour.accept_notice()

    first = neighbour.send(f"apoyo {case.reference}")[0].text
    again = neighbour.send(f"APOYO {case.reference}")[0].text

    assert first.startswith(f"Gracias: su apoyo a la incidencia {case.reference}")
    assert "1 personas" in first
    assert again.startswith(f"Ya había apoyado la incidencia {case.reference}")
    assert PublicRecord.objects.get(case=case).support_count == 1


def test_unknown_or_private_cases_are_not_found_and_own_reports_need_no_support(known, town):
    town.otros.public_by_default = False
    town.otros.save()
    private = make_case(category=town.otros, urn="tel:+34699000111")

    replies = [known.send(f"apoyo {ref}")[0].text for ref in (private.reference, "2026-999999")]
    assert all(text.startswith("No encontramos ninguna incidencia pública") for text in replies)

    own = make_case(category=town.alumbrado, urn=known.conversation_urn)
    assert "es suya" in known.send(f"suport {own.reference}")[0].text
