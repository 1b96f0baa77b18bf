"""What every Meta webhook shares (WhatsApp Cloud API, Messenger, Instagram).

The subscription handshake (``hub.challenge``) and the ``X-Hub-Signature-256`` check are the
same for the whole webhook family; each adapter parses its own payloads.
"""

from __future__ import annotations

import hashlib
import hmac

from ventanilla.channels.adapters.base import HandshakeResponse, SignatureError, WebhookRequest


def meta_handshake(request: WebhookRequest, verify_token: str) -> HandshakeResponse:
    """Echo ``hub.challenge`` when Meta subscribes with our verify token."""
    token = request.query.get("hub.verify_token", "")
    if (
        request.query.get("hub.mode") == "subscribe"
        and verify_token
        and hmac.compare_digest(token.encode(), verify_token.encode())
    ):
        return HandshakeResponse(200, request.query.get("hub.challenge", ""))
    return HandshakeResponse(403, "Forbidden")


def verify_meta_signature(request: WebhookRequest, app_secret: str) -> None:
    """Check ``X-Hub-Signature-256`` against the raw body and the app secret."""
    header = request.header("X-Hub-Signature-256") or ""
    if not app_secret:
        raise SignatureError("no app secret configured")
    if len(header) != 71 or not header.startswith("sha256="):
        raise SignatureError("missing or malformed X-Hub-Signature-256")
    digest = hmac.new(app_secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(header[7:].lower(), digest):
        raise SignatureError("bad X-Hub-Signature-256")
