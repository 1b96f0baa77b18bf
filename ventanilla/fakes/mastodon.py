"""A fake Mastodon server: the council account's notifications and the statuses it posts.

Served under ``/mastodon`` (a channel's ``api_base`` is ``http://<fake>/mastodon``):

- ``GET /api/v1/notifications`` (``types[]``, ``since_id``, ``limit``) answers the mentions of
  the account whose bearer token calls, newest first, as Mastodon does;
- ``POST /api/v1/statuses`` (``status``, ``in_reply_to_id``, ``visibility``) creates a status
  and answers it; an ``Idempotency-Key`` seen before answers the same status again;
- ``GET /api/v1/statuses/{id}`` answers a status.

Mastodon calls no webhook: ``/_control/mastodon/inbound`` (``from``, ``text``,
``visibility``, ``in_reply_to_id``) makes a resident post a mention that the next poll finds.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import threading
from typing import Any

from ventanilla.fakes.server import Delivery, FakeChannel, FakeRequest, FakeResponse, ProviderFake

SERVER = "villaverde.social"
RESIDENTS_SERVER = "barrio.social"
VISIBILITIES = {"public", "unlisted", "private", "direct"}


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def account(acct: str) -> dict[str, Any]:
    """Return a Mastodon account for ``user`` or ``user@server`` (local when no server)."""
    user, _, server = acct.lstrip("@").partition("@")
    return {
        "id": str(abs(hash(acct)) % 10**17),
        "username": user,
        "acct": acct if server and server != SERVER else user,
        "display_name": user.title(),
        "url": f"https://{server or SERVER}/@{user}",
    }


class MastodonFake(ProviderFake):
    name = "mastodon"
    #: residents' posts are fetched by Ventanilla, not delivered to it
    polled = True

    def __init__(self, hub: Any) -> None:
        super().__init__(hub)
        self.ids = itertools.count(113562394818234567)
        self.notification_ids = itertools.count(34975861)
        self.lock = threading.Lock()
        self.notifications: dict[str, list[dict[str, Any]]] = {}  # token -> newest last
        self.statuses: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self.lock:
            self.notifications.clear()
            self.statuses.clear()
            self.idempotent.clear()

    # -- API ---------------------------------------------------------------------------

    def api(self, request: FakeRequest) -> FakeResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        channel = self.channel_for(access_token=token) if token else None
        if channel is None:
            return FakeResponse.json({"error": "The access token is invalid"}, status=401)
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/api/v1/notifications":
            return self.list_notifications(request, token)
        if request.method == "POST" and path == "/api/v1/statuses":
            return self.create_status(request, token)
        if request.method == "GET" and path.startswith("/api/v1/statuses/"):
            status = self.statuses.get(path.rsplit("/", 1)[1])
            if status is None:
                return FakeResponse.json({"error": "Record not found"}, status=404)
            return FakeResponse.json(status)
        return FakeResponse.json({"error": "Not found"}, status=404)

    def list_notifications(self, request: FakeRequest, token: str) -> FakeResponse:
        since = int(request.query.get("since_id") or 0)
        wanted = request.query.get("types[]")
        limit = min(int(request.query.get("limit") or 40), 80)
        with self.lock:
            rows = [
                n
                for n in self.notifications.get(token, [])
                if int(n["id"]) > since and wanted in (None, n["type"])
            ]
        return FakeResponse.json(list(reversed(rows))[:limit])

    def create_status(self, request: FakeRequest, token: str) -> FakeResponse:
        try:
            data = request.json() if "json" in request.headers.get("content-type", "") else None
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else request.form()
        text = str(data.get("status") or "")
        if not text.strip():
            return FakeResponse.json({"error": "Validation failed: Text can't be blank"}, 422)
        if len(text) > 500:
            return FakeResponse.json(
                {"error": "Validation failed: Text character limit of 500 exceeded"}, 422
            )
        visibility = str(data.get("visibility") or "public")
        if visibility not in VISIBILITIES:
            return FakeResponse.json({"error": "Validation failed: Visibility is invalid"}, 422)
        parent = data.get("in_reply_to_id")
        if parent and str(parent) not in self.statuses:
            return FakeResponse.json({"error": "Record not found"}, status=404)
        key = request.headers.get("idempotency-key", "")
        with self.lock:
            if key and key in self.idempotent:
                return FakeResponse.json(self.idempotent[key])
        status = self.status("ayuntamiento", text, visibility, str(parent) if parent else None)
        with self.lock:
            if key:
                self.idempotent[key] = status
        return FakeResponse.json(status)

    def status(
        self, acct: str, text: str, visibility: str, in_reply_to_id: str | None
    ) -> dict[str, Any]:
        status_id = str(next(self.ids))
        owner = account(acct)
        host = owner["url"].split("/")[2]
        paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))
        status: dict[str, Any] = {
            "id": status_id,
            "created_at": now(),
            "in_reply_to_id": in_reply_to_id,
            "visibility": visibility,
            "language": "es",
            "uri": f"https://{host}/users/{owner['username']}/statuses/{status_id}",
            "url": f"https://{host}/@{owner['username']}/{status_id}",
            "content": paragraphs.replace("\n", "<br />"),
            "text": text,  # only the fake: the plain text posted, for tests to read
            "account": owner,
            "media_attachments": [],
            "mentions": [],
        }
        with self.lock:
            self.statuses[status_id] = status
        return status

    # -- residents ---------------------------------------------------------------------

    def queue_inbound(self, channel: FakeChannel, spec: dict[str, Any]) -> dict[str, Any]:
        """A resident mentions the council account; the next poll finds it."""
        resident = str(spec.get("from") or "lucia")
        acct = resident if "@" in resident else f"{resident}@{RESIDENTS_SERVER}"
        visibility = str(spec.get("visibility") or "public")
        text = str(spec.get("text") or "")
        mention = '<span class="h-card"><a href="https://{0}/@ayuntamiento" class="u-url mention">'
        mention = mention.format(SERVER) + "@<span>ayuntamiento</span></a></span> "
        status = self.status(acct, text, visibility, spec.get("in_reply_to_id"))
        status["content"] = "<p>" + mention + html.escape(text).replace("\n", "<br />") + "</p>"
        status["mentions"] = [account("ayuntamiento")]
        notification = {
            "id": str(next(self.notification_ids)),
            "type": "mention",
            "created_at": now(),
            "account": status["account"],
            "status": status,
        }
        token = channel.secrets.get("access_token", "")
        with self.lock:
            self.notifications.setdefault(token, []).append(notification)
        return {"status": 200, "message_id": status["id"], "url": status["url"]}

    def resident_message(self, channel: FakeChannel, spec: dict[str, Any]) -> Delivery:
        raise NotImplementedError("Mastodon is polled: use queue_inbound")

    def replies_to(self, status_id: str) -> list[dict[str, Any]]:
        """Return the statuses posted in answer to ``status_id``, oldest first."""
        with self.lock:
            return [s for s in self.statuses.values() if s["in_reply_to_id"] == status_id]
