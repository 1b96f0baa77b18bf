"""Staff read the census register one person at a time, by exact DNI, and every look is
audited; the issued documents are listed without their PDFs or codes."""

from __future__ import annotations

from ventanilla.procedures.models import AuditEvent, AuditKind
from ventanilla.procedures.tests.conftest import person

CHANGELIST = "/admin/procedures/censusrecord/"


def test_the_census_cannot_be_browsed_and_each_look_is_audited(town, admin_client, admin_user):
    record = person(town.council)

    browse = admin_client.get(CHANGELIST)
    assert browse.status_code == 200 and "12345678Z" not in browse.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditKind.CENSUS_VIEWED).exists()

    found = admin_client.get(CHANGELIST, {"q": "12.345.678-z"})
    assert "12345678Z" in found.content.decode()
    admin_client.get(f"{CHANGELIST}{record.pk}/change/")

    looks = AuditEvent.objects.filter(kind=AuditKind.CENSUS_VIEWED)
    assert looks.count() == 2
    assert {look.user for look in looks} == {admin_user}


def test_issued_documents_are_listed_without_pdf_or_code(town, admin_client):
    from ventanilla.procedures.tests.test_documents import issue

    document = issue(town.council)
    page = admin_client.get("/admin/procedures/issueddocument/").content.decode()
    assert "Lucía García Puig" in page
    detail = admin_client.get(f"/admin/procedures/issueddocument/{document.pk}/change/")
    assert document.csv not in detail.content.decode()
