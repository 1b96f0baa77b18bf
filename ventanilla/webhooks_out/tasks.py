"""Send a delivery: POST the signed payload; on failure retry with backoff, then give up."""

from __future__ import annotations

import functools
import random
import time

import httpx
import structlog
from django_tasks import task

from ventanilla.webhooks_out import services
from ventanilla.webhooks_out.models import Delivery
from ventanilla.webhooks_out.payloads import SIGNATURE_HEADER, encode, sign

log = structlog.get_logger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: retries: 30 s, 1 min, 2 min ... (plus up to a quarter of jitter), at most 1 hour apart
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0


@functools.cache
def http_client() -> httpx.Client:
    return httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)


def retry_delay(attempt: int) -> float:
    """Return seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
    raw = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    jitter = random.uniform(0, raw / 4)  # noqa: S311 - spreads retries, not a secret
    return min(BACKOFF_CAP, raw + jitter)


def attempt_delivery(delivery_id: int) -> Delivery:
    """Try to send delivery ``delivery_id`` once and record the outcome (no waiting)."""
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status != Delivery.Status.PENDING:
        return delivery
    subscription = delivery.subscription
    body = encode(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Ventanilla-Webhooks/1",
        "Ventanilla-Event": delivery.event,
        "Ventanilla-Delivery": str(delivery.payload.get("id", delivery.pk)),
        SIGNATURE_HEADER: sign(subscription.secret, int(time.time()), body),
    }
    error = ""
    permanent = not subscription.active
    if not permanent:
        try:
            response = http_client().post(subscription.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            if response.is_success:
                return services.record_attempt(delivery=delivery, ok=True)
            error = f"HTTP {response.status_code}"
            # 4xx other than 408/429 will not change by retrying
            permanent = response.status_code < 500 and response.status_code not in (408, 429)
    else:
        error = "subscription inactive"
    attempt = delivery.attempts + 1
    retry_in = None if permanent else retry_delay(attempt)
    delivery = services.record_attempt(delivery=delivery, ok=False, error=error, retry_in=retry_in)
    log.warning(
        "webhook_delivery_failed",
        delivery=delivery.pk,
        attempt=attempt,
        error=error,
        status=delivery.status,
    )
    return delivery


@task(queue_name="send")
def deliver(delivery_id: int) -> None:
    """Send the delivery; a failure is retried at its ``next_attempt_at`` by the queue."""
    delivery = attempt_delivery(delivery_id)
    if delivery.status != Delivery.Status.PENDING or delivery.next_attempt_at is None:
        return
    if deliver.get_backend().supports_defer:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
    else:  # the immediate backend of tests and development cannot wait: leave it visible
        log.warning("webhook_retry_not_scheduled", delivery=delivery_id)
