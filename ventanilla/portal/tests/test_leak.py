"""THE leak test: residents' personal data never reaches a public page, download or API.

Cases are seeded from the privacy corpus (messages full of DNIs, NIEs, phones, e-mails,
IBANs, plates, addresses and names), with the residents known by name, their messages,
photos, staff comments, internal notes and Open311 reports with contact details; they are
published, their summaries approved by staff (half the proposed draft as it is, half the
resident's raw text pasted in), supported, moved through the workflow. Then every public
output is fetched, and no secret may appear in any of them, in any case or accent form.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from itertools import cycle

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Role
from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.conversations.models import Message
from ventanilla.core.models import Council
from ventanilla.open311 import services as open311_services
from ventanilla.portal import services
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.tests.factories import (
    PATHS,
    make_private_category,
    make_public_category,
    message_with_photo,
    record_of,
)
from ventanilla.privacy.tests.messages import SAMPLES

pytestmark = pytest.mark.django_db

STATUSES = cycle([Status.NEW, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED])
ADDRESSES = cycle(["Calle del Pez 27, 2º izquierda", "Av. Diagonal 640, 28008", "Mayor 14", ""])
ADDRESS_SECRETS = ["Pez 27", "Diagonal 640", "Mayor 14", "2º izquierda"]
PRIVATE_TEXT = "Mi ex pareja me amenaza y tengo miedo; vivo en la calle Almendro 9"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", without_accents)


def pattern(secret: str) -> re.Pattern[str]:
    folded = re.escape(fold(secret))
    start = r"(?<!\w)" if re.match(r"\w", secret) else ""
    end = r"(?!\w)" if re.search(r"\w$", secret) else ""
    return re.compile(start + folded + end)


def readable(response) -> str:
    """Return everything a reader of the response sees, decoded and unescaped."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith("image/"):
        return ""
    text = b"".join(response).decode("utf-8") if response.streaming else response.content.decode()
    if "json" in content_type:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    unescaped = html.unescape(text)
    return unescaped + "\n" + html.unescape(re.sub(r"<[^>]+>", " ", text))


def crawl(client: Client, council: Council) -> dict[str, str]:
    """Fetch every public output: pages, downloads, map data, Open311 in both formats."""
    urls = [
        reverse("portal:home"),
        reverse("portal:ranking"),
        reverse("portal:map"),
        reverse("portal:map_data"),
        reverse("portal:statistics"),
        reverse("portal:statistics") + "?start=2000-01-01",
        reverse("portal:statistics_csv") + "?start=2000-01-01",
        reverse("portal:statistics_json") + "?start=2000-01-01",
        reverse("portal:open_data"),
        reverse("portal:records_csv"),
        reverse("portal:records_json"),
        reverse("portal:records") + "?order=supports",
        reverse("portal:records") + "?q=farola",
        reverse("portal:records") + "?status=closed",
    ]
    references = list(Case.objects.of(council).values_list("reference", flat=True))
    for fmt in ("json", "xml"):
        urls += [
            f"/open311/discovery.{fmt}",
            f"/open311/v2/services.{fmt}",
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests.{fmt}?status=closed",
            f"/open311/v2/requests.{fmt}?service_request_id={','.join(references)}",
        ]
        urls += [
            f"/open311/v2/services/{code}.{fmt}"
            for code in council.categories.values_list("code", flat=True)
        ]
        urls += [f"/open311/v2/requests/{reference}.{fmt}" for reference in references]
    urls += [reverse("portal:record", args=[reference]) for reference in references]
    outputs: dict[str, str] = {}
    page = 1
    while True:  # every page of the list
        url = reverse("portal:records") + f"?page={page}"
        response = client.get(url)
        outputs[url] = readable(response)
        if 'rel="next"' not in response.content.decode():
            break
        page += 1
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        outputs[url] = readable(response)
    for record in PublicRecord.objects.of(council):
        for photo in record.photos.all():
            response = client.get(reverse("portal:photo", args=[record.reference, photo.pk]))
            if response.status_code == 200:
                data = b"".join(response.streaming_content)
                with Image.open(io.BytesIO(data)) as image:
                    assert not image.getexif(), "a published photo kept its metadata"
    return outputs


def leaks(outputs: dict[str, str], secrets: set[str]) -> list[tuple[str, str]]:
    found = []
    folded = {url: fold(text) for url, text in outputs.items()}
    for secret in sorted(secrets):
        compiled = pattern(secret)
        found += [(secret, url) for url, text in folded.items() if compiled.search(text)]
    return found


@pytest.fixture
def seeded(client):
    """Seed the corpus; return the council and every value that must never be published."""
    council = make_council(slug="villa", name="Villaverde del Río")
    # Acts on every case of the council, whatever its department.
    agent = make_staff(council=council, role=Role.SUPERVISOR, username="agente")
    urban = make_department(council=council, name="Servicios Urbanos")
    categories = cycle(
        [
            make_public_category(council=council, department=urban, code="alumbrado"),
            make_public_category(council=council, department=urban, code="baches"),
            make_public_category(council=council, code="residuos"),
        ]
    )
    private = make_private_category(council=council, code="social", name_es="Atención social")
    secrets: set[str] = set(ADDRESS_SECRETS) | {
        "IMG_Lucia",
        "amenaza",
        "Almendro",
        "Atención social",
    }
    supporters = []
    for i, sample in enumerate(SAMPLES):
        phone = f"+3460010{i:04d}"
        secrets |= set(sample.secrets) | {phone, phone[3:]}
        citizen = find_or_create_citizen(
            council=council, urn=f"tel:{phone}", name=sample.names[0] if sample.names else ""
        )
        supporters.append(citizen)
        case = case_services.open_case(
            category=next(categories),
            description=sample.text,
            citizen=citizen,
            latitude=40.4169 + i / 1000,
            longitude=-3.7033,
            address=next(ADDRESSES),
        )
        attachment = message_with_photo(case=case, text=sample.text)
        if i % 4 == 0:
            services.approve_photo(attachment=attachment, by=agent, alt_text=sample.text[:200])
        Message.objects.filter(case=case).update(text=sample.text)
        case_services.add_note(case=case, author=agent, text=f"Datos: {sample.text}")
        for step in PATHS[next(STATUSES)]:
            case = case_services.change_status(
                case=case, status=step, by=agent, comment=f"Hablé con el vecino: {sample.text}"
            )
        record = record_of(case)
        # Half approve the proposed draft as it is; half paste the resident's own text.
        text = record.summary_draft if i % 2 else sample.text
        services.update_public_summary(case=case, text=text, by=agent)
        assert record_of(case).summary, sample.text
    # supports from the chat and from the web
    records = list(PublicRecord.objects.of(council))
    for citizen, record in zip(supporters, reversed(records), strict=False):
        services.support_from_chat(council=council, citizen=citizen, reference=record.reference)
    client.post(reverse("portal:support", args=[records[0].reference]))
    # a private case, with a resident's story and address
    victim = find_or_create_citizen(council=council, urn="tel:+34699000111", name="Rosa Pérez")
    secrets |= {"+34699000111", "699000111", "Rosa Pérez"}
    case_services.open_case(category=private, description=PRIVATE_TEXT, citizen=victim)
    # reports through Open311 with the reporter's contact details
    key = open311_services.issue_open311_key(council=council)
    for n, (first, last, email, phone) in enumerate(
        [
            ("Gumersinda", "Villalobos", "gumer.villalobos@example.org", "+34 655 012 345"),
            ("Wenceslao", "Arriaga", "w.arriaga@example.net", ""),
        ]
    ):
        secrets |= {first, last, email, "device-secret-1", "account-secret-1"}
        if phone:
            secrets |= {phone, "655012345"}
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "baches",
                "address_string": f"Calle Olmo {n + 31}, 1º C",
                "email": email,
                "first_name": first,
                "last_name": last,
                "phone": phone,
                "device_id": "device-secret-1",
                "account_id": "account-secret-1",
                "description": f"Un bache enorme. Soy {first} {last}, {email}",
            },
        )
        assert response.status_code == 200, response.content
        secrets.add(f"Olmo {n + 31}")
        reference = response.json()[0]["service_request_id"]
        case = Case.objects.get(council=council, reference=reference)
        services.update_public_summary(case=case, text=record_of(case).summary_draft, by=agent)
    return council, secrets


def test_no_personal_data_reaches_any_public_output(client, seeded):
    council, secrets = seeded
    outputs = crawl(client, council)
    assert len(outputs) > 150
    assert leaks(outputs, secrets) == []
    # the public substance is there: summaries, streets, supports
    listing = " ".join(text for url, text in outputs.items() if url.startswith("/cases/?page"))
    assert "farola" in listing and "Calle del Pez" in listing
    for record in PublicRecord.objects.of(council).visible():
        page = outputs[reverse("portal:record", args=[record.reference])]
        assert record.summary in page
    # private categories never appear, but their cases are counted
    private_case = Case.objects.get(category__code="social")
    assert leaks(outputs, {private_case.category.name_es, private_case.reference}) == []
    stats = client.get(reverse("portal:statistics_json"), {"start": "2000-01-01"}).json()
    rows = {row["key"]: row for row in stats["statistics"]}
    assert rows["private"]["received"] == 1 and rows["private"]["published"] == 0
    assert rows["total"]["received"] == Case.objects.of(council).count()
    # and the check itself finds a leak when there is one
    record = PublicRecord.objects.of(council).visible().first()
    PublicRecord.objects.filter(pk=record.pk).update(summary="Llamad al 600 11 12 22")
    url = reverse("portal:record", args=[record.reference])
    assert leaks({url: readable(client.get(url))}, secrets) == [("600 11 12 22", url)]


def test_withdrawn_records_vanish_from_every_output(client, seeded):
    council, _ = seeded
    record = PublicRecord.objects.of(council).visible().filter(status=Status.NEW).first()
    marker = "Marcador de retirada 7Q"
    services.update_public_summary(case=record.case, text=marker)
    assert leaks(crawl(client, council), {marker})
    services.withdraw_case(case=record.case, reason="Se reconoce a la vecina")
    outputs = crawl(client, council)
    assert leaks(outputs, {marker}) == []
    assert [url for url, text in outputs.items() if record.reference in text] == []
