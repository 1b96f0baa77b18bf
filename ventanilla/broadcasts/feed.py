"""The public alerts feed: official broadcasts and relayed neighbourhood alerts.

A page on the portal, an Atom feed, and each alert as a CAP 1.2 document (Common Alerting
Protocol, OASIS). Places are coarsened to two decimals of a degree (about a kilometre)
and given as a 1 km circle, so that nobody's door is pointed at. Neither the residents who
sent an alert nor anyone's number appear: relayed alerts carry the operator's text.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ventanilla.broadcasts.models import Alert, AlertStatus, Broadcast, Kind, Status
from ventanilla.broadcasts.services import alert_of_photo_token, relay_photo
from ventanilla.conversations.models import Attachment
from ventanilla.core.councils import council_for_request
from ventanilla.core.models import Council

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: official broadcasts stay on the feed this long (relayed alerts until they expire)
OFFICIAL_DAYS = 7
COARSE_DECIMALS = 2
COARSE_RADIUS_KM = 1.0


@dataclass(frozen=True)
class PublicAlert:
    key: str  # "b12" (a broadcast) or "r5" (a relayed alert)
    topic: str
    text: str
    sent: dt.datetime
    expires: dt.datetime | None
    latitude: float | None
    longitude: float | None
    relayed: bool


def coarse(value: float | None) -> float | None:
    return None if value is None else round(value, COARSE_DECIMALS)


def public_alerts(council: Council) -> list[PublicAlert]:
    now = timezone.now()
    items = [
        PublicAlert(
            key=f"b{row.pk}",
            topic=row.topic.name_es,
            text=row.text_for(""),
            sent=row.queued_at or row.created_at,
            expires=None,
            latitude=None,
            longitude=None,
            relayed=False,
        )
        for row in Broadcast.objects.filter(
            council=council,
            kind=Kind.ALERT,
            status__in=(Status.SENDING, Status.PAUSED, Status.DONE),
            queued_at__gte=now - dt.timedelta(days=OFFICIAL_DAYS),
        ).select_related("topic", "council")
    ]
    items += [
        PublicAlert(
            key=f"r{row.pk}",
            topic=row.topic.name_es if row.topic else "",
            text=row.relayed_text,
            sent=row.decided_at or row.created_at,
            expires=row.expires_at,
            latitude=coarse(row.latitude),
            longitude=coarse(row.longitude),
            relayed=True,
        )
        for row in Alert.objects.filter(
            council=council, status=AlertStatus.RELAYED, expires_at__gt=now
        ).select_related("topic")
    ]
    return sorted(items, key=lambda item: item.sent, reverse=True)


def relay_figures(council: Council) -> dict[str, int]:
    alerts = Alert.objects.filter(council=council)
    return {
        "relayed": alerts.filter(status=AlertStatus.RELAYED).count(),
        "rejected": alerts.filter(status=AlertStatus.REJECTED).count(),
    }


def council_of(request: HttpRequest) -> Council:
    council = council_for_request(request)
    if council is None:
        raise Http404(_("No council is configured."))
    return council


@require_GET
def alerts_page(request: HttpRequest) -> HttpResponse:
    council = council_of(request)
    return TemplateResponse(
        request,
        "broadcasts/public.html",
        {"council": council, "alerts": public_alerts(council), "figures": relay_figures(council)},
    )


def cap_document(request: HttpRequest, council: Council, item: PublicAlert) -> ET.Element:
    """Return ``item`` as a CAP 1.2 ``alert`` element."""
    alert = ET.Element(f"{{{CAP_NS}}}alert")

    def add(parent: ET.Element, tag: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
        child.text = text
        return child

    add(alert, "identifier", f"{council.slug}-{item.key}")
    add(alert, "sender", council.jurisdiction_id or council.slug)
    add(alert, "sent", item.sent.replace(microsecond=0).isoformat())
    add(alert, "status", "Actual")
    add(alert, "msgType", "Alert")
    add(alert, "scope", "Public")
    info = ET.SubElement(alert, f"{{{CAP_NS}}}info")
    add(info, "language", f"{council.language_codes[0]}-ES")
    add(info, "category", "Other")
    add(info, "event", item.topic or _("Alert"))
    add(info, "urgency", "Unknown")
    add(info, "severity", "Unknown")
    add(info, "certainty", "Observed" if item.relayed else "Unknown")
    if item.expires is not None:
        add(info, "expires", item.expires.replace(microsecond=0).isoformat())
    add(info, "senderName", council.name)
    add(info, "headline", item.text[:160])
    add(info, "description", item.text)
    add(info, "web", request.build_absolute_uri(reverse("public_alerts:page")))
    area = ET.SubElement(info, f"{{{CAP_NS}}}area")
    add(area, "areaDesc", council.name)
    if item.latitude is not None and item.longitude is not None:
        add(area, "circle", f"{item.latitude},{item.longitude} {COARSE_RADIUS_KM}")
    return alert


def _xml(element: ET.Element, content_type: str) -> HttpResponse:
    ET.register_namespace("", element.tag[1:].split("}", 1)[0])
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type=content_type)


@require_GET
def cap(request: HttpRequest, key: str) -> HttpResponse:
    council = council_of(request)
    found = [item for item in public_alerts(council) if item.key == key]
    if not found:
        raise Http404(_("There is no public alert with this identifier."))
    return _xml(cap_document(request, council, found[0]), "application/cap+xml")


@require_GET
def atom(request: HttpRequest) -> HttpResponse:
    """The feed of current alerts, each entry linking to its CAP document."""
    council = council_of(request)
    items = public_alerts(council)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def add(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text:
            child.text = text
        return child

    self_url = request.build_absolute_uri(reverse("public_alerts:atom"))
    add(feed, "id", self_url)
    add(feed, "title", _("Alerts of %(council)s") % {"council": council.name})
    updated = items[0].sent if items else timezone.now()
    add(feed, "updated", updated.replace(microsecond=0).isoformat())
    add(feed, "link", rel="self", href=self_url)
    author = add(feed, "author")
    add(author, "name", council.name)
    for item in items:
        url = request.build_absolute_uri(reverse("public_alerts:cap", args=[item.key]))
        entry = add(feed, "entry")
        add(entry, "id", url)
        add(entry, "title", item.topic or _("Alert"))
        add(entry, "updated", item.sent.replace(microsecond=0).isoformat())
        add(entry, "summary", item.text)
        add(entry, "link", rel="alternate", type="application/cap+xml", href=url)
    return _xml(feed, "application/atom+xml")


#: a relayed photo is served at most this wide or high
PHOTO_MAX_PIXELS = 1600


def photo_without_metadata(attachment: Attachment) -> bytes:
    """Return the photo re-encoded as JPEG: no EXIF (no GPS position, no camera), turned
    upright, at most ``PHOTO_MAX_PIXELS``."""
    from PIL import Image, ImageOps  # only when a relayed photo is asked for

    with attachment.file.open("rb") as handle, Image.open(handle) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def photo_response(attachment: Attachment | None) -> HttpResponse:
    from PIL import UnidentifiedImageError

    if attachment is None:
        raise Http404(_("There is no photo here."))
    try:
        data = photo_without_metadata(attachment)
    except (UnidentifiedImageError, OSError):
        raise Http404(_("There is no photo here.")) from None
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def relayed_photo(request: HttpRequest, token: str) -> HttpResponse:
    """The copy of a relayed alert's photo, while the alert is current (signed link)."""
    alert = alert_of_photo_token(token)
    return photo_response(relay_photo(alert) if alert is not None else None)
