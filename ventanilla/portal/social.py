"""The public record and public networks: supports from a thread, the post on the page."""

from __future__ import annotations

from ventanilla.cases.models import Case
from ventanilla.citizens.models import Citizen
from ventanilla.conversations import publicity
from ventanilla.portal.services import SupportOutcome, support_from_chat


def support_from_public_post(case: Case, citizen: Citizen) -> bool:
    """Count a "+1" posted in a case's public thread, once per resident, like the chat's."""
    result = support_from_chat(council=case.council, citizen=citizen, reference=case.reference)
    return result.outcome == SupportOutcome.ADDED


def public_post_url(case_id: int | None) -> str:
    """Return the address of the public post a case began as, if it did."""
    return publicity.case_post_url(case_id) if case_id else ""
