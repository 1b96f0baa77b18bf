"""The case state machine as data. Every status change goes through ``check_transition``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_RESIDENT = "waiting_resident", _("Waiting for the resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


S = Status
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING_RESIDENT, S.REJECTED, S.DUPLICATE}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.WAITING_RESIDENT, S.RESOLVED, S.REJECTED, S.DUPLICATE}),
    S.IN_PROGRESS: frozenset({S.WAITING_RESIDENT, S.RESOLVED, S.REJECTED, S.DUPLICATE}),
    S.WAITING_RESIDENT: frozenset({S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.DUPLICATE}),
    S.REJECTED: frozenset({S.REOPENED}),
    S.CLOSED: frozenset(),
    S.DUPLICATE: frozenset(),
}

#: statuses in which the council still owes the resident something
OPEN_STATUSES = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.WAITING_RESIDENT, S.REOPENED})
#: statuses that count as an answer for the public record ("closed" is never "fixed")
FINISHED_STATUSES = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current = Status(current)
        self.target = Status(target)
        allowed = ", ".join(sorted(str(s.label) for s in ALLOWED_TRANSITIONS[self.current]))
        super().__init__(
            _("A case cannot go from “%(current)s” to “%(target)s”. Allowed: %(allowed)s.")
            % {
                "current": self.current.label,
                "target": self.target.label,
                "allowed": allowed or _("none"),
            }
        )


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransition unless a case may go from ``current`` to ``target``."""
    if Status(target) not in ALLOWED_TRANSITIONS[Status(current)]:
        raise IllegalTransition(current, target)
