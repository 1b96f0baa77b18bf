"""The corpus leak test: what a busy clerk publishes leaks no name and no number.

Every message of the privacy corpus (``privacy/tests/corpus.py``: over 300 resident messages
in es/ca/en, each annotated with the personal data it carries) becomes a case whose proposed
public summary is approved exactly as proposed. Then every public output is fetched (the
portal's pages, downloads and map data, Open311 in JSON and XML) and none of the annotated
names, documents, phones, e-mails, accounts, cards, plates, house addresses or profiles may
appear in any of them, in any case or accent form.
"""

from __future__ import annotations

from itertools import cycle

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.portal import services
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.tests.factories import make_public_category
from ventanilla.portal.tests.test_leak import fold, leaks, readable
from ventanilla.privacy.tests.corpus import MESSAGES, Kind

pytestmark = pytest.mark.django_db


def test_corpus_summaries_approved_as_proposed_publish_no_personal_data():
    council = make_council(slug="villa", name="Villaverde del Río")
    clerk = make_staff(council=council, role=Role.SUPERVISOR, username="clerk")
    works = make_department(council=council, name="Servicios Urbanos")
    categories = cycle(
        [
            make_public_category(council=council, department=works, code="alumbrado"),
            make_public_category(council=council, code="limpieza"),
        ]
    )
    secrets_of: dict[str, set[str]] = {}
    for i, message in enumerate(MESSAGES):
        citizen = find_or_create_citizen(council=council, urn=f"tel:+3460020{i:04d}")
        case = case_services.open_case(
            category=next(categories),
            description=message.text,
            citizen=citizen,
            latitude=40.4169 + i / 10000,
            longitude=-3.7033,
        )
        record = services.approve_summary_draft(case=case, by=clerk)
        assert record.summary.strip(), message.text
        secrets_of[case.reference] = {value for kind, value in message.data if kind in Kind}
    assert PublicRecord.objects.of(council).visible().count() == len(MESSAGES)

    client = Client()
    urls = [
        reverse("portal:home"),
        reverse("portal:map_data"),
        reverse("portal:records_csv"),
        reverse("portal:records_json"),
    ]
    for fmt in ("json", "xml"):
        urls.append(f"/open311/v2/requests.{fmt}?start_date=2000-01-01T00:00:00Z")
    outputs = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        outputs[url] = readable(response)
    # Every secret of a case stays out of its own public summary and address. A house number
    # alone ("14") is a secret only there (pages show dates and times); anything else must
    # appear nowhere on its case's page, and a distinctive secret nowhere at all, unless it
    # is also part of a name the corpus says must survive ("calle Clara Campoamor").
    kept = " ".join(fold(value) for message in MESSAGES for _, value in message.keep)
    distinctive = {
        secret
        for secrets in secrets_of.values()
        for secret in secrets
        if len(secret) > 4 and not secret.isdigit() and fold(secret) not in kept
    }
    found = leaks(outputs, distinctive)
    for record in PublicRecord.objects.of(council):
        secrets = secrets_of[record.reference]
        public = f"{record.summary}\n{record.street}"
        found += leaks({f"{record.reference} summary": public}, secrets)
        page = readable(client.get(reverse("portal:record", args=[record.reference])))
        words = {secret for secret in secrets if not secret.isdigit()}
        found += leaks({record.reference: page}, words)
    assert sorted(set(found)) == []
