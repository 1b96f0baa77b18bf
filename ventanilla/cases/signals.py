"""Signals sent inside a case service's transaction, so listeners write in the same commit.

``case_changed`` carries ``case``, ``kind`` (a CaseEvent.Kind), ``from_value``, ``to_value``,
``by`` and ``comment``. The conversations app listens to tell the resident.
"""

from django.dispatch import Signal

case_opened = Signal()
case_changed = Signal()
