"""Issued documents past their period lose their PDF, code and name; the record that they
existed stays for the audit, and the period is set per document type."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from ventanilla.cases.tests.factories import make_case
from ventanilla.privacy.models import DataType, RetentionRule, RetentionRun
from ventanilla.privacy.retention import apply_retention
from ventanilla.procedures import services
from ventanilla.procedures.models import AuditEvent, AuditKind, DocumentKind, IssuedDocument
from ventanilla.procedures.tests.test_documents import issue


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _receipt(town) -> IssuedDocument:
    case = make_case(category=town.otros, urn="tel:+34600111444")
    return services.issue_receipt(case=case, requester="tel:+34600111444", language="es")


def test_a_certificate_past_its_period_is_purged_and_its_record_kept(town, client):
    certificate = issue(town.council)
    receipt = _receipt(town)
    code = certificate.csv
    assert certificate.keep_until == certificate.issued_at + dt.timedelta(days=90)

    with time_machine.travel(dt.timedelta(days=89)):
        [counted] = [
            o
            for o in apply_retention(council=town.council, dry_run=False)
            if o.data_type == DataType.ISSUED_DOCUMENTS
        ]
        assert counted.count == 0
    with time_machine.travel(dt.timedelta(days=91)):
        dry = apply_retention(council=town.council, dry_run=True)
        assert {o.data_type: o.count for o in dry}[DataType.ISSUED_DOCUMENTS] == 1
        assert (
            IssuedDocument.objects.get(pk=certificate.pk).csv == code
        )  # a dry run changes nothing
        apply_retention(council=town.council, dry_run=False)
        assert client.get(f"/verify/{code}/").status_code == 404

    purged = IssuedDocument.objects.get(pk=certificate.pk)
    assert bytes(purged.pdf) == b"" and purged.csv is None and purged.subject == ""
    assert (
        purged.kind == DocumentKind.CENSUS_INDIVIDUAL and purged.issued_at == certificate.issued_at
    )
    assert purged.purged_at is not None
    assert AuditEvent.objects.filter(kind=AuditKind.ISSUED, document=purged).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.PURGED, document=purged).count() == 1
    assert RetentionRun.objects.first().counts[DataType.ISSUED_DOCUMENTS] == 1
    kept = IssuedDocument.objects.get(pk=receipt.pk)  # a receipt is kept five years
    assert kept.csv == receipt.csv and bytes(kept.pdf) == bytes(receipt.pdf)


def test_a_council_sets_the_period_of_one_document_type(town):
    certificate = issue(town.council)
    receipt = _receipt(town)
    RetentionRule.objects.create(
        council=town.council,
        data_type=DataType.ISSUED_DOCUMENTS,
        category_code=DocumentKind.REGISTRY_RECEIPT,
        months=1,
    )
    with time_machine.travel(dt.timedelta(days=40)):
        apply_retention(council=town.council, dry_run=False)
    assert IssuedDocument.objects.get(pk=receipt.pk).purged_at is not None
    assert IssuedDocument.objects.get(pk=certificate.pk).purged_at is None  # still 90 days


def test_a_council_wide_rule_applies_to_every_type_without_its_own(town):
    certificate = issue(town.council)
    receipt = _receipt(town)
    for code, months in (("", 12), (DocumentKind.CENSUS_INDIVIDUAL, 6)):
        RetentionRule.objects.create(
            council=town.council,
            data_type=DataType.ISSUED_DOCUMENTS,
            category_code=code,
            months=months,
        )
    with time_machine.travel(dt.timedelta(days=200)):  # past six months, before twelve
        apply_retention(council=town.council, dry_run=False)
    assert IssuedDocument.objects.get(pk=certificate.pk).purged_at is not None
    assert IssuedDocument.objects.get(pk=receipt.pk).purged_at is None
