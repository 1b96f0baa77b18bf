"""The certificate PDF opens, names the resident, carries its CSV code and a QR code that
decodes to the verification URL; /verify/ accepts a real code and rejects a forged one."""

from __future__ import annotations

import io

import pytest
import time_machine
import zxingcpp
from django.core.cache import cache
from pypdf import PdfReader
from pypdf.generic import ContentStream

from ventanilla.conversations.tests.chat import local
from ventanilla.procedures import services
from ventanilla.procedures.codes import CSV_ALPHABET, format_csv
from ventanilla.procedures.documents import verification_url
from ventanilla.procedures.models import AuditEvent, AuditKind, CensusRecord, IssuedDocument
from ventanilla.procedures.tests.conftest import person

CHAT = "tel:+34600111222"


def issue(council, *, household: bool = False) -> IssuedDocument:
    record = CensusRecord.objects.filter(dni="12345678Z").first() or person(council)
    request = services.request_code(
        council=council,
        dni=record.dni,
        birth_date=record.birth_date,
        requester=CHAT,
        chat_phones={record.phone},
        language="es",
        send_sms=lambda phone, code: False,
        send_email=lambda address, code: False,
    )
    assert request.check is not None and request.code_for_chat
    result = services.check_code(
        check_id=request.check.pk, requester=CHAT, code=request.code_for_chat
    )
    assert result is services.CodeResult.VERIFIED
    issued = services.issue_census_certificate(
        check_id=request.check.pk, requester=CHAT, household=household, language="es"
    )
    assert issued.document is not None
    return issued.document


def qr_payload(pdf: bytes) -> str:
    """Decode the QR code drawn in the PDF: rasterise its squares, read them with zxing-cpp."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    operations = ContentStream(page.get_contents(), reader).operations
    squares = [
        tuple(float(v) for v in operands)
        for operands, operator in operations
        if operator == b"re" and 0 < float(operands[2]) < 10
    ]
    size = squares[0][2]
    left = min(x for x, _, _, _ in squares)
    top = max(y for _, y, _, _ in squares)
    modules = {(round((top - y) / size), round((x - left) / size)) for x, y, _, _ in squares}
    count = max(max(r, c) for r, c in modules) + 1
    scale, quiet = 4, 4
    side = (count + 2 * quiet) * scale
    pixels = bytearray([255]) * (side * side)
    for row, col in modules:
        for dy in range(scale):
            start = ((row + quiet) * scale + dy) * side + (col + quiet) * scale
            pixels[start : start + scale] = bytes(scale)
    image = memoryview(bytes(pixels)).cast("B", (side, side))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the PDF"
    return found[0].text


def test_the_pdf_names_the_resident_and_carries_its_code_and_qr(town):
    document = issue(town.council)
    pdf = bytes(document.pdf)

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Lucía García Puig" in text
    assert "12345678Z" in text
    assert "Ayuntamiento de Villaverde" in text
    assert format_csv(document.csv) in text
    assert qr_payload(pdf) == verification_url(document.csv)
    assert verification_url(document.csv).endswith(f"/verify/{document.csv}/")


def test_the_household_certificate_lists_everyone_at_the_address(town):
    person(town.council, dni="X2482300W", given_name="Pere", surname2="")
    document = issue(town.council, household=True)
    text = PdfReader(io.BytesIO(bytes(document.pdf))).pages[0].extract_text()
    assert "Lucía García Puig" in text and "Pere García" in text


def test_codes_are_long_random_and_not_sequential(town):
    first = issue(town.council).csv
    IssuedDocument.objects.all().delete()
    second = issue(town.council).csv
    assert len(first) == 25 and set(first) <= set(CSV_ALPHABET)
    assert first != second


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_the_verification_page_accepts_a_real_code_and_rejects_a_forged_one(town, client):
    document = issue(town.council)

    page = client.get(f"/verify/{format_csv(document.csv).lower()}/")
    assert page.status_code == 200
    assert "Documento auténtico" in page.content.decode() or "Genuine" in page.content.decode()
    assert "Lucía" not in page.content.decode()  # the page shows no personal data
    pdf = client.get(f"/verify/{document.csv}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and bytes(pdf.content) == bytes(document.pdf)

    forged = document.csv[:-1] + ("A" if document.csv[-1] != "A" else "B")
    refused = client.get(f"/verify/{forged}/")
    assert refused.status_code == 404
    assert client.get(f"/verify/{forged}/pdf/").status_code == 404
    assert AuditEvent.objects.filter(kind=AuditKind.DOCUMENT_CHECKED).count() == 2

    form = client.get("/verify/", {"code": format_csv(document.csv)})
    assert form.status_code == 302 and form["Location"] == f"/verify/{document.csv}/"


def test_guessing_codes_is_rate_limited(town, client):
    statuses = [client.get(f"/verify/{'0' * 24}{n}/").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_each_failed_verification_is_audited_with_address_and_time(town, client):
    document = issue(town.council)
    forged = document.csv[:-1] + ("A" if document.csv[-1] != "A" else "B")
    with time_machine.travel(local(2026, 3, 10, 12, 0), tick=False):
        client.get(f"/verify/{forged}/", REMOTE_ADDR="203.0.113.7")
        client.get("/verify/", {"code": "not-a-code"}, REMOTE_ADDR="203.0.113.7")
        client.get(f"/verify/{document.csv}/", REMOTE_ADDR="203.0.113.7")  # genuine: checked

    failed = AuditEvent.objects.filter(kind=AuditKind.VERIFICATION_FAILED).order_by("id")
    assert [(e.detail["address"], e.detail["typed"], e.at) for e in failed] == [
        ("203.0.113.7", forged, local(2026, 3, 10, 12, 0)),
        ("203.0.113.7", "not-a-code", local(2026, 3, 10, 12, 0)),
    ]
    assert {e.council for e in failed} == {None} and all(e.who.startswith("web:") for e in failed)
    # past the rate limit nothing more is written: guessing cannot flood the audit log
    for n in range(40):
        client.get(f"/verify/{'0' * 24}{n % 10}/", REMOTE_ADDR="198.51.100.9")
    assert failed.filter(detail__address="198.51.100.9").count() == 30
