"""Telegram Bot API: webhook updates in, Bot API method calls out."""

from ventanilla.channels.adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
