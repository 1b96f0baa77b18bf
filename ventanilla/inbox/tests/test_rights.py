"""The data protection pages: supervisors and administrators only; erasure with four eyes."""

from __future__ import annotations

import pytest

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_staff
from ventanilla.inbox.tests.factories import signed_in
from ventanilla.privacy.models import RightsRequest
from ventanilla.privacy.tests.residents import NAME, resident_with_history, traces

pytestmark = pytest.mark.django_db


def test_agents_and_auditors_cannot_open_the_requests():
    history = resident_with_history()
    agent = make_staff(
        council=history.town.council, departments=(history.town.urbanos,), username="agente"
    )
    auditor = make_staff(council=history.town.council, role=Role.AUDITOR, username="aud")
    for user in (agent, auditor):
        assert signed_in(user).get("/inbox/rights/").status_code == 403
    page = signed_in(history.staff).get("/inbox/")
    assert b"/inbox/rights/" in page.content
    assert b"/inbox/rights/" not in signed_in(agent).get("/inbox/").content


def test_a_supervisor_registers_a_request_and_downloads_the_pdf_and_json():
    history = resident_with_history()
    client = signed_in(history.staff)
    bad = client.post("/inbox/rights/", {"urn": "whatsapp:999", "kind": "export"})
    assert bad.status_code == 422 and b"No resident" in bad.content
    assert not RightsRequest.objects.exists()

    page = client.post(
        "/inbox/rights/", {"urn": history.resident.urn, "kind": "export"}, follow=True
    )
    item = RightsRequest.objects.get()
    assert b"Download PDF" in page.content and b"Answer due" in page.content
    pdf = client.post(f"/inbox/rights/{item.pk}/export.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    data = client.post(f"/inbox/rights/{item.pk}/export.json").json()
    assert data["sections"]["resident"][0]["name"] == NAME
    assert list(item.audit.values_list("action", flat=True)) == [
        "received",
        "exported",
        "exported",
    ]


def test_erasure_from_the_chat_is_asked_by_one_and_approved_by_another():
    history = resident_with_history()
    history.resident.send("borrar mis datos")
    item = RightsRequest.objects.get(kind=RightsRequest.Kind.ERASURE)
    sara, alberto = signed_in(history.staff), signed_in(history.other_staff)

    listing = sara.get("/inbox/rights/")
    assert f'href="/inbox/rights/{item.pk}/"'.encode() in listing.content
    sara.post(f"/inbox/rights/{item.pk}/ask/")
    own = sara.get(f"/inbox/rights/{item.pk}/")
    assert b"another supervisor or administrator must approve" in own.content
    refused = sara.post(f"/inbox/rights/{item.pk}/approve/", follow=True)
    assert b"Another person must approve" in refused.content
    assert traces()

    alberto.post(f"/inbox/rights/{item.pk}/approve/")

    assert traces() == []
    page = alberto.get(f"/inbox/rights/{item.pk}/")
    assert b"erased" in page.content and b"Approve and erase" not in page.content


def test_staff_of_another_council_see_nothing():
    history = resident_with_history()
    history.resident.send("mis datos")
    item = RightsRequest.objects.get()
    from ventanilla.cases.tests.factories import make_council

    stranger = make_staff(council=make_council(), role=Role.SUPERVISOR, username="otra")
    assert signed_in(stranger).get(f"/inbox/rights/{item.pk}/").status_code == 404
    assert signed_in(stranger).post(f"/inbox/rights/{item.pk}/export.json").status_code == 404
