"""WhatsApp Business Cloud API adapter."""

from ventanilla.channels.adapters.whatsapp.adapter import WhatsAppAdapter

__all__ = ["WhatsAppAdapter"]
