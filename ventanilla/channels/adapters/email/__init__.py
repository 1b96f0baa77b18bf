"""E-mail: the mail gateway in, Django's e-mail backend out."""

from ventanilla.channels.adapters.email.adapter import EmailAdapter

__all__ = ["EmailAdapter"]
