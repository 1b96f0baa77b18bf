"""The public portal: no login, every page works without JavaScript except the map."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.channels.models import Channel
from ventanilla.core.councils import council_for_request
from ventanilla.core.models import Council
from ventanilla.insights import statistics as insights_statistics
from ventanilla.portal import charts, exports, selectors, services, social, throttle
from ventanilla.portal.forms import PeriodForm, RecordFilterForm, ReportForm
from ventanilla.portal.models import PublicRecord, Support
from ventanilla.portal.statistics import Statistics, statistics
from ventanilla.portal.templatetags.portal import duration, share
from ventanilla.privacy import processing

PAGE_SIZE = 20
MAP_MAX_FEATURES = 1000
SUPPORTER_COOKIE = "ventanilla_supporter"
SUPPORTER_SALT = "ventanilla.portal.supporter"
SUPPORTER_COOKIE_AGE = 5 * 365 * 24 * 3600


def _council(request: HttpRequest) -> Council:
    council = council_for_request(request)
    if council is None:
        raise Http404(_("No council is configured."))
    return council


def _record_or_404(council: Council, reference: str) -> PublicRecord:
    record = selectors.find_record(council, reference)
    if record is None:
        raise Http404(_("There is no public case with this reference."))
    return record


def _record_url(request: HttpRequest, record: PublicRecord) -> str:
    return request.build_absolute_uri(reverse("portal:record", args=[record.reference]))


def _supporter_token(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(SUPPORTER_COOKIE, default=None, salt=SUPPORTER_SALT)


# -- pages ----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    council = council_for_request(request)
    context: dict[str, Any] = {}
    if council is not None:
        records = selectors.public_records(council)
        context = {
            "open_count": records.open().count(),
            "closed_count": records.closed().count(),
            "ranking": selectors.most_supported_open(council, limit=5),
            "latest": list(records.order_by("-requested_at", "-id")[:5]),
        }
    return TemplateResponse(request, "portal/home.html", context)


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = RecordFilterForm(request.GET or None, council=council)
    records = selectors.filter_records(selectors.public_records(council), form.filters())
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "portal/record_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    return TemplateResponse(
        request,
        "portal/ranking.html",
        {"records": selectors.most_supported_open(council, limit=50)},
    )


def _detail(request: HttpRequest, record: PublicRecord, *, status: int = 200) -> HttpResponse:
    token = _supporter_token(request)
    supported = (
        bool(token)
        and Support.objects.filter(
            record=record, browser_hash=services.browser_hash(token or "")
        ).exists()
    )
    return TemplateResponse(
        request,
        "portal/record_detail.html",
        {
            "record": record,
            "history": selectors.history(record),
            "photos": selectors.photos(record),
            "supported": supported,
            "grid_metres": int(settings.PUBLIC_GRID_METRES),
            "public_post_url": social.public_post_url(record.case_id),
        },
        status=status,
    )


@require_GET
def record_detail(request: HttpRequest, reference: str) -> HttpResponse:
    record = _record_or_404(_council(request), reference)
    return _detail(request, record)


@require_POST
def support(request: HttpRequest, reference: str) -> HttpResponse:
    """Count this browser's "me too", once per browser and a few per address an hour."""
    record = _record_or_404(_council(request), reference)
    allowed = throttle.allow(
        request,
        scope="support",
        limit=settings.PORTAL_SUPPORTS_PER_HOUR,
        window_seconds=3600,
    )
    if not allowed:
        messages.error(
            request, _("Too many supports from your connection. Please try again later.")
        )
        return _detail(request, record, status=429)
    token = _supporter_token(request) or services.new_browser_token()
    result = services.support_case(record=record, browser_token=token)
    if result.outcome == services.SupportOutcome.ADDED:
        messages.success(request, _("Thank you: your support has been counted."))
    elif result.outcome == services.SupportOutcome.ALREADY:
        messages.info(request, _("You already support this case."))
    response = redirect("portal:record", reference=record.reference)
    response.status_code = 303
    response.set_signed_cookie(
        SUPPORTER_COOKIE,
        token,
        salt=SUPPORTER_SALT,
        max_age=SUPPORTER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_GET
def photo(request: HttpRequest, reference: str, photo_id: int) -> FileResponse:
    found = selectors.photo_of(_council(request), reference, photo_id)
    if found is None:
        raise Http404(_("There is no such photo."))
    return FileResponse(found.image.open("rb"), content_type="image/jpeg")


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = RecordFilterForm(request.GET or None, council=council)
    query = request.GET.copy()
    query.pop("bbox", None)
    return TemplateResponse(
        request,
        "portal/map.html",
        {
            "form": form,
            "tiles_url": settings.TILES_URL,
            "tiles_attribution": getattr(
                settings, "TILES_ATTRIBUTION", "© OpenStreetMap contributors"
            ),
            "markers_url": reverse("portal:map_data") + (f"?{query.urlencode()}" if query else ""),
        },
    )


@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    """Return the located public records as GeoJSON (at most MAP_MAX_FEATURES)."""
    council = _council(request)
    form = RecordFilterForm(request.GET or None, council=council)
    records = selectors.filter_records(selectors.public_records(council), form.filters())
    located = list(
        records.filter(latitude__isnull=False, longitude__isnull=False)[: MAP_MAX_FEATURES + 1]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]},
            "properties": {
                "reference": r.reference,
                "url": reverse("portal:record", args=[r.reference]),
                "category": r.category.name,
                "status": r.get_status_display(),
                "open": r.is_open,
                "summary": r.summary[:140],
                "supports": r.support_count,
            },
        }
        for r in located[:MAP_MAX_FEATURES]
    ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": len(located) > MAP_MAX_FEATURES,
        }
    )


def _charts(stats: Statistics) -> list[Any]:
    rows = stats.departments
    received = charts.bar_chart(
        chart_id="chart-received",
        title=_("Cases received per department"),
        description=_("Number of cases received in the period, private ones included."),
        bars=[charts.Bar(r.name, r.figures.received, str(r.figures.received)) for r in rows],
    )
    resolution = charts.bar_chart(
        chart_id="chart-resolution",
        title=_("Median time to resolution per department"),
        description=_("Half of the resolved cases took less than this."),
        bars=[
            charts.Bar(
                r.name,
                r.figures.median_resolution_hours,
                duration(r.figures.median_resolution_hours),
            )
            for r in rows
        ],
    )
    deadline = charts.bar_chart(
        chart_id="chart-deadline",
        title=_("Resolved within the deadline per department"),
        description=_("Share of the cases due that were resolved by their deadline."),
        bars=[
            charts.Bar(
                r.name,
                r.figures.within_deadline_share,
                share(r.figures.within_deadline_share),
            )
            for r in rows
        ],
    )
    return [received, resolution, deadline]


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = PeriodForm(request.GET or None, council=council)
    start, end = form.period()
    stats = statistics(council, start=start, end=end)
    charter_rows = insights_statistics.charter(council, start=start, end=end)
    period_query = f"start={start.isoformat()}&end={end.isoformat()}"
    return TemplateResponse(
        request,
        "portal/statistics.html",
        {
            "form": form,
            "stats": stats,
            "charts": _charts(stats),
            "charter": charter_rows,
            "charter_months": charter_rows[0].months if charter_rows else [],
            "period_query": period_query,
            "rows": [
                ("department", _("Per department"), stats.departments),
                ("category", _("Per category"), stats.categories),
            ],
        },
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice, made from the council's settings, in any of its languages."""
    council = _council(request)
    language = request.GET.get("lang", "")
    if language not in council.language_codes:
        language = (get_language() or "es")[:2]
    html = processing.render_notice(
        council, providers=Channel.objects.of(council).active().provider_names(), language=language
    )
    return TemplateResponse(
        request,
        "portal/privacy.html",
        {"notice_html": mark_safe(html), "language": language},  # noqa: S308 - our template
    )


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    _council(request)
    return TemplateResponse(
        request,
        "portal/open_data.html",
        {"licence_name": exports.LICENCE_NAME, "licence_url": exports.LICENCE_URL},
    )


def _filtered(request: HttpRequest, council: Council) -> list[PublicRecord]:
    form = RecordFilterForm(request.GET or None, council=council)
    return list(selectors.filter_records(selectors.public_records(council), form.filters()))


@require_GET
def records_csv(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    rows = (exports.record_row(r, url=_record_url(request, r)) for r in _filtered(request, council))
    return exports.csv_response(
        council=council, filename="cases.csv", fields=exports.RECORD_FIELDS, rows=rows
    )


@require_GET
def records_json(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    rows = [exports.record_row(r, url=_record_url(request, r)) for r in _filtered(request, council)]
    return exports.json_response(council=council, filename="cases.json", key="cases", payload=rows)


def _period_statistics(request: HttpRequest, council: Council) -> Statistics:
    form = PeriodForm(request.GET or None, council=council)
    start, end = form.period()
    return statistics(council, start=start, end=end)


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    stats = _period_statistics(request, council)
    return exports.csv_response(
        council=council,
        filename=f"statistics-{stats.start.isoformat()}-{stats.end.isoformat()}.csv",
        fields=exports.STATISTICS_FIELDS,
        rows=exports.statistics_rows(stats, total_name=_("All cases")),
    )


@require_GET
def statistics_json(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    stats = _period_statistics(request, council)
    return exports.json_response(
        council=council,
        filename=f"statistics-{stats.start.isoformat()}-{stats.end.isoformat()}.json",
        key="statistics",
        payload=exports.statistics_rows(stats, total_name=_("All cases")),
        extra={"period": {"start": stats.start.isoformat(), "end": stats.end.isoformat()}},
    )


# -- the report form ------------------------------------------------------------------------

REPORT_DONE_SALT = "ventanilla.portal.report-done"


def _map_settings() -> dict[str, str]:
    return {
        "tiles_url": settings.TILES_URL,
        "tiles_attribution": getattr(settings, "TILES_ATTRIBUTION", "© OpenStreetMap contributors"),
    }


def _report_page(
    request: HttpRequest, form: ReportForm, *, duplicates: list[PublicRecord], status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "portal/report.html",
        {
            "form": form,
            "duplicates": duplicates,
            "centre": selectors.map_centre(form.council),
            **_map_settings(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem: category, description, photo, place, contact; nearby cases first.

    Works without JavaScript: the place is then a street of the council's directory, and
    the nearby cases like this one are shown after a first send. With JavaScript the map
    pin gives the place and the nearby cases appear as soon as the pin and category are set.
    """
    council = _council(request)
    if request.method != "POST":
        return _report_page(request, ReportForm(council=council), duplicates=[])
    form = ReportForm(request.POST, request.FILES, council=council)
    if not form.is_valid():
        return _report_page(request, form, duplicates=[], status=400)
    if form.is_robot:
        form.add_error(None, _("The report could not be sent. Please try again."))
        return _report_page(request, form, duplicates=[], status=400)
    data = form.cleaned_data
    if not data.get("new_anyway"):
        duplicates = form.duplicates()
        if duplicates:
            return _report_page(request, form, duplicates=duplicates)
    allowed = throttle.allow(
        request, scope="report", limit=settings.PORTAL_REPORTS_PER_HOUR, window_seconds=3600
    )
    if not allowed:
        form.add_error(None, _("Too many reports from your connection. Please try again later."))
        return _report_page(request, form, duplicates=[], status=429)
    contact = data.get("contact")
    photo = data.get("photo")
    submission = services.FormSubmission(
        category=data["category"],
        description=data["description"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        address=data.get("address") or "",
        photo=photo.read() if photo else None,
        email=contact.value if contact and contact.kind == "email" else "",
        phone=contact.value if contact and contact.kind == "phone" else "",
        language=(get_language() or "")[:2],
    )
    case = services.submit_form_report(
        submission=submission,
        record_url=lambda ref: settings.PUBLIC_URL + reverse("portal:record", args=[ref]),
    )
    token = signing.dumps([case.reference, bool(contact)], salt=REPORT_DONE_SALT)
    response = redirect(reverse("portal:report_done") + f"?r={token}")
    response.status_code = 303
    return response


@require_GET
def report_done(request: HttpRequest) -> HttpResponse:
    _council(request)
    try:
        reference, contacted = signing.loads(
            request.GET.get("r", ""), salt=REPORT_DONE_SALT, max_age=24 * 3600
        )
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404(_("There is no such report.")) from exc
    return TemplateResponse(
        request,
        "portal/report_done.html",
        {"reference": reference, "contacted": contacted},
    )


@require_GET
def report_nearby(request: HttpRequest) -> HttpResponse:
    """Return the open public cases of a category near a point (the form's duplicates)."""
    council = _council(request)
    try:
        latitude = float(request.GET.get("lat", ""))
        longitude = float(request.GET.get("lon", ""))
    except ValueError:
        return JsonResponse({"cases": []}, status=400)
    category = selectors.public_categories(council).filter(code=request.GET.get("category")).first()
    if category is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return JsonResponse({"cases": []}, status=400)
    records = selectors.nearby_duplicates(
        council, category=category, latitude=latitude, longitude=longitude
    )
    return JsonResponse(
        {
            "cases": [
                {
                    "reference": r.reference,
                    "url": reverse("portal:record", args=[r.reference]),
                    "support_url": reverse("portal:support", args=[r.reference]),
                    "category": r.category.name,
                    "status": r.get_status_display(),
                    "summary": r.summary[:140],
                    "street": r.street,
                    "supports": r.support_count,
                    "requested": r.requested_at.date().isoformat(),
                }
                for r in records
            ]
        }
    )
