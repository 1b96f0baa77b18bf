"""Keep the public record in step with its case: reactions to the cases app's changes.

They run inside the case service's transaction (see ``ventanilla/wiring.py``); a failure is
logged by the runner and never undoes the case, which staff can then publish by hand.
"""

from __future__ import annotations

from ventanilla.cases.reactions import CaseChanged, CaseOpened
from ventanilla.portal import services


def case_opened(event: CaseOpened) -> None:
    """Publish a case opened public in a public category."""
    services.case_opened(case=event.case)


def case_changed(event: CaseChanged) -> None:
    """Bring the case's public record up to date."""
    services.case_changed(case=event.case, kind=event.kind)
