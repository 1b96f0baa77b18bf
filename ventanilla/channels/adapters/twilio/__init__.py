"""Twilio SMS adapter."""

from ventanilla.channels.adapters.twilio.adapter import TwilioAdapter

__all__ = ["TwilioAdapter"]
