"""Open311 GeoReport v2 endpoints: parse, call a selector or a service, render."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ventanilla.cases.models import Category
from ventanilla.core.models import Council
from ventanilla.open311 import format as open311
from ventanilla.open311 import services
from ventanilla.open311.format import Open311Error
from ventanilla.open311.forms import Open311RequestForm
from ventanilla.portal import selectors, throttle
from ventanilla.portal.models import PublicPhoto, PublicRecord

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Answer errors in the specification's format, in the format the URL asked for."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> Any:
            try:
                if request.method not in methods and not (
                    request.method == "HEAD" and "GET" in methods
                ):
                    raise Open311Error(
                        405,
                        _("Method %(method)s is not allowed here.") % {"method": request.method},
                    )
                if request.method == "POST" and any(
                    "\x00" in text
                    for key, values in request.POST.lists()
                    for text in (key, *values)
                ):
                    # The query is checked by RefuseNullCharactersMiddleware; this is the body.
                    raise Open311Error(400, _("A field contains a character that is not allowed."))
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = open311.render_error(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
            if request.method != "POST":
                # Public, read-only and cookie-free: any web application may read it.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return csrf_exempt(wrapper)

    return decorate


def _params(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _services(council: Council) -> QuerySet[Category]:
    return (
        Category.objects.of(council)
        .active()
        .filter(public_by_default=True)
        .select_related("department")
        .order_by("code")
    )


def _media_urls(request: HttpRequest, records: list[PublicRecord]) -> dict[int, str]:
    """Return the URL of the first approved photo of each record that has one."""
    references = {record.pk: record.reference for record in records}
    urls: dict[int, str] = {}
    for photo in PublicPhoto.objects.filter(record__in=records).order_by("approved_at", "id"):
        if photo.record_id not in urls:
            urls[photo.record_id] = request.build_absolute_uri(
                reverse("portal:photo", args=[references[photo.record_id], photo.pk])
            )
    return urls


def _requests_document(
    request: HttpRequest, council: Council, records: list[PublicRecord]
) -> list[dict[str, Any]]:
    media = _media_urls(request, records)
    return [
        open311.request_item(record, council=council, media_url=media.get(record.pk))
        for record in records
    ]


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    try:
        council = open311.council_for(request, _params(request).get("jurisdiction_id", ""))
        name = council.name
    except Open311Error:
        name = "Ventanilla"
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt}))
    document = open311.discovery(
        url=base.rsplit("/", 1)[0],
        contact=_("%(council)s, through its public portal: %(url)s")
        % {"council": name, "url": request.build_absolute_uri(reverse("portal:home"))},
        key_service=_(
            "Keys to create service requests are issued by the council's administrators."
        ),
    )
    return open311.render(fmt, "discovery", document)


@endpoint("GET")
def services_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    council = open311.council_for(request, request.GET.get("jurisdiction_id", ""))
    items = [open311.service_item(category) for category in _services(council)]
    return open311.render(fmt, "services", items)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    council = open311.council_for(request, request.GET.get("jurisdiction_id", ""))
    category = _services(council).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code provided was not found."))
    return open311.render(fmt, "service_definition", open311.service_definition(category))


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    council = open311.council_for(request, request.GET.get("jurisdiction_id", ""))
    query = open311.RequestsQuery.parse(request.GET, council=council, now=timezone.now())
    records = query.apply(selectors.public_records(council))
    return open311.render(fmt, "service_requests", _requests_document(request, council, records))


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    council = open311.council_for(request, request.POST.get("jurisdiction_id", ""))
    if not throttle.allow(
        request, scope="open311_post", limit=settings.OPEN311_POSTS_PER_HOUR, window_seconds=3600
    ):
        raise Open311Error(429, _("Too many requests from your address. Try again later."))
    key = services.key_for(council=council, key=request.POST.get("api_key", "").strip())
    if key is None:
        raise Open311Error(403, _("Missing or invalid api_key: cannot create the request."))
    form = Open311RequestForm(request.POST)
    if not form.is_valid():
        raise Open311Error(400, *open311.form_errors(form.errors))
    data = form.cleaned_data
    category = _services(council).filter(code=data["service_code"]).first()
    if category is None:
        raise Open311Error(404, _("service_code provided was not found."))
    report = services.Open311Report(
        category=category,
        description=data["description"],
        latitude=data["lat"],
        longitude=data["long"],
        **{
            field: data[field]
            for field in (
                "address_string",
                "address_id",
                "email",
                "first_name",
                "last_name",
                "phone",
                "device_id",
                "account_id",
                "media_url",
            )
        },
    )
    case = services.submit_open311_request(key=key, report=report)
    item = open311.created_item(case.reference, open311.service_notice(category.resolution_days))
    return open311.render(fmt, "service_requests", [item])


@endpoint("GET")
def request_detail(request: HttpRequest, reference: str, *, fmt: str) -> HttpResponse:
    council = open311.council_for(request, request.GET.get("jurisdiction_id", ""))
    record = selectors.find_record(council, reference)
    if record is None:
        raise Open311Error(404, _("service_request_id provided was not found."))
    return open311.render(fmt, "service_requests", _requests_document(request, council, [record]))


@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    # Every request is created in real time (type "realtime"): no token is ever given out.
    open311.council_for(request, request.GET.get("jurisdiction_id", ""))
    raise Open311Error(404, _("token provided was not found."))


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return open311.render_error(fmt, Open311Error(404, _("There is no such Open311 resource.")))
