"""Signals the channels app sends once a webhook's rows are committed.

``message_received`` carries ``message`` (a new inbound ``conversations.Message``, sent once
per provider message id however many times the provider delivers it). The conversations
dialog listens to it; receivers run after the commit and their errors are logged, never
turned into an error answer to the provider.
"""

from django.dispatch import Signal

message_received = Signal()
