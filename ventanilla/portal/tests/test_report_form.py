"""The portal's report form: a case opened from the web, its duplicates, its spam checks."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import translation
from PIL import Image

from ventanilla.cases.models import Case, Note
from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Direction, Message
from ventanilla.portal.forms import REPORT_STARTED_SALT
from ventanilla.portal.models import FormReport, PublicRecord
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    open_case,
)
from ventanilla.streets.services import import_streets

pytestmark = pytest.mark.django_db

HERE = (40.4169, -3.7033)


@pytest.fixture
def council():
    return make_council(name="Villaverde")


@pytest.fixture
def lighting(council):
    return make_public_category(council=council, name_es="Alumbrado", name_en="Lighting")


def started(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=REPORT_STARTED_SALT)


def form_data(category, **overrides):
    data = {
        "category": category.code,
        "description": "La farola de la esquina lleva una semana apagada",
        "latitude": str(HERE[0]),
        "longitude": str(HERE[1]),
        "address": "",
        "contact": "",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return data


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 10)).save(output, format="JPEG")
    return output.getvalue()


def send(client, data, **extra):
    return client.post(reverse("portal:report"), data, HTTP_ACCEPT_LANGUAGE="en", **extra)


def shown_reference(client, response) -> str:
    assert response.status_code == 303, response.content.decode()[:2000]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    return page.context["reference"]


def test_the_form_offers_only_active_public_categories(client, council, lighting):
    make_private_category(council=council, name_en="Social services")
    make_public_category(council=council, name_en="Old category", active=False)
    with translation.override("en"):
        page = client.get(reverse("portal:report"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Lighting" in html
    assert "Social services" not in html and "Old category" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)


def test_a_report_opens_a_case_and_shows_its_reference(client, council, lighting):
    response = send(client, form_data(lighting))
    reference = shown_reference(client, response)
    case = Case.objects.get(council=council, reference=reference)
    assert case.category == lighting
    assert case.description.startswith("La farola")
    assert (case.latitude, case.longitude) == HERE
    assert case.citizen is None
    assert FormReport.objects.filter(case=case).exists()
    # published like any public case: the point snapped to the grid, not the exact one
    record = PublicRecord.objects.get(case=case)
    assert (record.latitude, record.longitude) != HERE
    assert Note.objects.get(case=case).text.startswith("Reported with the portal's form")


def test_without_a_pin_a_street_of_the_directory_gives_the_place(client, council, lighting):
    import_streets(council=council, lines=["street,lat,lon\n", "Calle Mayor,40.41,-3.70\n"])
    data = form_data(lighting, latitude="", longitude="", address="calle mayor 3")
    reference = shown_reference(client, send(client, data))
    case = Case.objects.get(reference=reference)
    assert (case.latitude, case.longitude) == (40.41, -3.70)
    assert case.address.startswith("Calle Mayor 3")


def test_a_report_must_say_where(client, lighting):
    response = send(client, form_data(lighting, latitude="", longitude=""))
    assert response.status_code == 400
    assert "Say where the problem is" in response.content.decode()
    assert not Case.objects.exists()


def test_the_photo_is_kept_for_staff_without_its_metadata(client, lighting):
    from ventanilla.portal.tests.factories import jpeg_with_gps

    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "IMG_casa_de_Lucia.jpg"
    reference = shown_reference(client, send(client, {**form_data(lighting), "photo": upload}))
    report = FormReport.objects.get(case__reference=reference)
    with Image.open(report.photo.open("rb")) as image:
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(0x8825)  # no GPS
    assert "Lucia" not in report.photo.name


def test_a_file_that_is_not_an_image_is_refused(client, lighting):
    upload = io.BytesIO(b"%PDF-1.4 not an image")
    upload.name = "photo.jpg"
    response = send(client, {**form_data(lighting), "photo": upload})
    assert response.status_code == 400
    assert "must be a JPEG, PNG or WebP image" in response.content.decode()


def test_a_photo_too_large_is_refused(client, lighting, settings):
    settings.PORTAL_REPORT_PHOTO_MAX_BYTES = 100
    upload = io.BytesIO(jpeg() + b"\0" * 200)
    upload.name = "photo.jpg"
    response = send(client, {**form_data(lighting), "photo": upload})
    assert response.status_code == 400
    assert "The photo is too large" in response.content.decode()


def test_a_nearby_open_case_of_the_category_is_offered_first(client, council, lighting):
    other = make_public_category(council=council, name_en="Litter")
    near = open_case(category=lighting, latitude=40.41693, longitude=-3.70335)
    open_case(category=other, latitude=HERE[0], longitude=HERE[1])  # another category
    open_case(category=lighting, latitude=40.4200, longitude=-3.7033)  # 340 m away
    response = send(client, form_data(lighting))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is it one of these? Support it instead" in html
    assert [r.reference for r in response.context["duplicates"]] == [near.reference]
    assert reverse("portal:support", args=[near.reference]) in html
    assert Case.objects.count() == 3  # nothing opened yet
    # the page sent again says it is a new problem: the report goes in
    assert '<input type="hidden" name="new_anyway" value="on">' in html
    reference = shown_reference(client, send(client, form_data(lighting, new_anyway="on")))
    assert Case.objects.filter(reference=reference).exists()


def test_an_old_or_closed_case_is_not_offered(client, council, lighting, settings):
    import time_machine

    from ventanilla.cases.workflow import Status

    with time_machine.travel("2020-01-10 10:00 +00:00"):
        open_case(category=lighting, latitude=HERE[0], longitude=HERE[1])
    open_case(category=lighting, latitude=HERE[0], longitude=HERE[1], status=Status.RESOLVED)
    response = send(client, form_data(lighting))
    assert response.status_code == 303


def test_the_nearby_cases_as_json_for_the_map(client, council, lighting):
    near = open_case(category=lighting, latitude=40.41693, longitude=-3.70335)
    answer = client.get(
        reverse("portal:report_nearby"),
        {"category": lighting.code, "lat": HERE[0], "lon": HERE[1]},
    ).json()
    assert [c["reference"] for c in answer["cases"]] == [near.reference]
    assert answer["cases"][0]["support_url"] == reverse("portal:support", args=[near.reference])


def test_the_honeypot_stops_a_robot(client, lighting):
    response = send(client, form_data(lighting, website="http://spam.example"))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_form_sent_faster_than_a_person_can_is_refused(client, lighting, settings):
    settings.PORTAL_REPORT_MIN_SECONDS = 4
    response = send(client, form_data(lighting, started=started(seconds_ago=1)))
    assert response.status_code == 400
    assert "too fast" in response.content.decode()
    forged = send(client, form_data(lighting, started=str(time.time() - 60)))
    assert forged.status_code == 400
    assert not Case.objects.exists()


def test_reports_from_one_address_are_limited(client, lighting, settings):
    settings.PORTAL_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert send(client, form_data(lighting, new_anyway="on")).status_code == 303
    response = send(client, form_data(lighting, new_anyway="on"))
    assert response.status_code == 429
    assert Case.objects.count() == 2


def test_an_email_contact_gets_the_reference_by_email(
    client, lighting, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = form_data(lighting, contact="lucia@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, data)
    reference = shown_reference(client, response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lucia@example.org"]
    assert reference in mail.outbox[0].subject and reference in mail.outbox[0].body
    case = Case.objects.get(reference=reference)
    assert "lucia@example.org" in Note.objects.get(case=case).text  # for staff, never public
    assert "lucia@example.org" not in PublicRecord.objects.get(case=case).summary_draft


def test_a_phone_contact_gets_the_reference_on_the_sms_channel(client, council, lighting):
    sms = Channel.objects.create(council=council, provider="twilio", name="SMS")
    reference = shown_reference(client, send(client, form_data(lighting, contact="600 11 12 22")))
    case = Case.objects.get(reference=reference)
    assert case.citizen.identities.get().urn == "tel:+34600111222"
    message = Message.objects.get(direction=Direction.OUT, case=case)
    assert message.channel == sms
    assert message.conversation.urn == "tel:+34600111222"
    assert reference in message.text


def test_a_contact_that_is_neither_email_nor_phone_is_refused(client, lighting):
    response = send(client, form_data(lighting, contact="call me maybe"))
    assert response.status_code == 400
    assert "Write an e-mail address or a phone number" in response.content.decode()
