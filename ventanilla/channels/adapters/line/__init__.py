"""LINE Messaging API: signed webhook events in, reply and push calls out."""

from ventanilla.channels.adapters.line.adapter import LineAdapter

__all__ = ["LineAdapter"]
