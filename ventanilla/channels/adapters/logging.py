"""Log what passes between us and a provider, with its ``redact_keys`` applied.

Adapters call ``log_exchange`` after every API call and ``log_webhook`` when they parse a
webhook. Every field named in the provider's ``redact_keys`` (ignoring case) is replaced at
any depth of a JSON or form body, in headers and in query strings, and the channel's
secrets are replaced wherever their values appear (Telegram's ``/bot<token>/`` URLs, a
``Bearer`` header). Successful exchanges are logged at debug level, refusals at info; the
text of a refusal goes through the privacy redaction too, since providers quote the
resident's number or words in their errors ("The 'To' number +34600... is not valid").
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import structlog

from ventanilla.privacy.redaction import redact as redact_personal_data

if TYPE_CHECKING:
    from ventanilla.channels.adapters.base import Provider, WebhookRequest

log = structlog.get_logger(__name__)

REDACTED = "[redacted]"
#: request headers worth a line in the log; the rest say nothing about the exchange
LOGGED_HEADERS = ("content-type", "authorization")
#: headers that carry credentials whatever the provider declares
ALWAYS_REDACTED = frozenset({"authorization", "proxy-authorization", "cookie"})


def redact(
    payload: object,
    keys: Collection[str],
    secrets: Iterable[str] = (),
    *,
    personal_data: bool = False,
) -> object:
    """Return a copy of ``payload`` with every field named in ``keys`` replaced.

    Fields match ignoring case, at any depth of dicts and lists; strings anywhere else
    have each of ``secrets`` (secret values, not names) replaced, and with
    ``personal_data`` the phone numbers, names and other personal data in them too.
    """
    lowered = {key.lower() for key in keys}
    values = sorted({value for value in secrets if value}, key=len, reverse=True)
    return _redact(payload, lowered, values, personal_data)


def _redact(payload: object, keys: set[str], secrets: list[str], personal: bool) -> object:
    if isinstance(payload, Mapping):
        return {
            str(key): REDACTED
            if str(key).lower() in keys
            else _redact(value, keys, secrets, personal)
            for key, value in payload.items()
        }
    if isinstance(payload, list | tuple):
        return [_redact(item, keys, secrets, personal) for item in payload]
    if payload is None or isinstance(payload, bool | int | float):
        return payload
    text = _scrub(str(payload), secrets)
    return redact_personal_data(text) if personal and text else text


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def redact_url(url: str, keys: Collection[str], secrets: Iterable[str] = ()) -> str:
    """Return ``url`` with the query fields in ``keys`` and every secret value replaced."""
    values = sorted({value for value in secrets if value}, key=len, reverse=True)
    parts = urlsplit(_scrub(url, values))
    lowered = {key.lower() for key in keys}
    query = [
        (name, REDACTED if name.lower() in lowered else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def decode_body(body: bytes, content_type: str) -> object:
    """Return a JSON or form body as data, anything else as its size (never the bytes)."""
    if not body:
        return None
    kind = content_type.split(";")[0].strip().lower()
    try:
        if not kind or kind == "application/json" or kind.endswith("+json"):
            return json.loads(body)
        if kind == "application/x-www-form-urlencoded":
            return dict(parse_qsl(body.decode(), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        pass
    return f"<{len(body)} bytes {kind or 'unknown'}>"


def log_exchange(
    provider: type[Provider], response: httpx.Response, secrets: Mapping[str, str]
) -> None:
    """Log one API call to ``provider`` and its answer, redacted.

    A call that succeeded is logged at debug level: when nobody reads that level, the
    redaction is skipped (it was a twentieth of a sending worker's time).
    """
    refused = not response.is_success
    if not refused and not _debug_logged():
        return
    keys = provider.redact_keys
    values = _secret_values(keys, secrets)
    request = response.request
    headers = {
        name: value for name, value in request.headers.items() if name.lower() in LOGGED_HEADERS
    }
    event = log.info if refused else log.debug
    event(
        "provider_exchange",
        provider=provider.code,
        method=request.method,
        url=redact_url(str(request.url), keys, values),
        request_headers=redact(headers, keys | ALWAYS_REDACTED, values),
        request_body=redact(
            decode_body(_request_body(request), request.headers.get("content-type", "")),
            keys,
            values,
            personal_data=refused,
        ),
        status=response.status_code,
        response_body=redact(
            decode_body(_response_body(response), response.headers.get("content-type", "")),
            keys,
            values,
            personal_data=refused,
        ),
    )


def log_webhook(
    provider: type[Provider], request: WebhookRequest, secrets: Mapping[str, str]
) -> None:
    """Log a webhook the provider sent us, redacted, at debug level."""
    if not _debug_logged():
        return  # redacting a body nobody will read is most of a status webhook's cost
    keys = provider.redact_keys
    values = _secret_values(keys, secrets)
    body = request.form or decode_body(request.body, request.header("Content-Type") or "")
    log.debug(
        "provider_webhook",
        provider=provider.code,
        method=request.method,
        url=redact_url(request.url, keys, values),
        body=redact(body, keys, values),
    )


def log_webhook_failure(
    provider: type[Provider],
    request: WebhookRequest,
    secrets: Mapping[str, str],
    error: BaseException,
    /,
    **context: object,
) -> None:
    """Log an adapter that tripped over a webhook: where it failed, and the body redacted.

    The traceback names files, lines and code, never local variables; the exception's
    message is left out, because it may quote the payload (a resident's name or number).
    """
    keys = provider.redact_keys
    values = _secret_values(keys, secrets)
    body = request.form or decode_body(request.body, request.header("Content-Type") or "")
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "webhook_parse_error",
        provider=provider.code,
        error=kind,
        body=redact(body, keys, values),
        exception=f"Traceback (most recent call last):\n{frames}{kind}: (message withheld)",
        **context,
    )


def _debug_logged() -> bool:
    """Whether this module's debug lines are written anywhere (else nothing is redacted)."""
    return logging.getLogger(__name__).isEnabledFor(logging.DEBUG)


def _secret_values(keys: Collection[str], secrets: Mapping[str, str]) -> list[str]:
    lowered = {key.lower() for key in keys}
    return [value for name, value in secrets.items() if name.lower() in lowered and value]


def _request_body(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:  # a streamed upload: say nothing about it
        return b""


def _response_body(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return b""
