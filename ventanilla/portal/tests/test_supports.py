import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.cases.tests.factories import make_council
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.portal import services
from ventanilla.portal.models import Support
from ventanilla.portal.services import SupportOutcome
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    new_urn,
    open_case,
    record_of,
)
from ventanilla.portal.views import SUPPORTER_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return make_council()


@pytest.fixture
def case(council):
    return open_case(category=make_public_category(council=council))


def support_url(case):
    return reverse("portal:support", args=[case.reference])


def count(case):
    return record_of(case).support_count


def test_a_browser_supports_a_case_once(client, case):
    response = client.post(support_url(case))
    assert response.status_code == 303
    assert response["Location"] == reverse("portal:record", args=[case.reference])
    assert count(case) == 1
    client.post(support_url(case))
    assert count(case) == 1
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert "support_url" not in page and 'action="' + support_url(case) + '"' not in page
    # the cookie is signed: a hand-made one is a new browser, not an error
    client.cookies[SUPPORTER_COOKIE] = "forged"
    assert client.post(support_url(case)).status_code == 303
    assert count(case) == 2


def test_another_browser_counts_again_and_nothing_about_it_is_stored(case):
    for _ in range(3):
        Client().post(support_url(case))
    assert count(case) == 3
    stored = Support.objects.values_list("browser_hash", "citizen", "via")
    assert all(
        len(hash_) == 64 and citizen is None and via == "web" for hash_, citizen, via in stored
    )


def test_supports_are_rate_limited_per_address(case, settings):
    settings.PORTAL_SUPPORTS_PER_HOUR = 3
    for _ in range(3):
        assert Client(REMOTE_ADDR="10.0.0.1").post(support_url(case)).status_code == 303
    refused = Client(REMOTE_ADDR="10.0.0.1")
    refused.cookies["django_language"] = "en"
    refused = refused.post(support_url(case))
    assert refused.status_code == 429
    assert "Too many supports" in refused.content.decode()
    assert count(case) == 3
    assert Client(REMOTE_ADDR="10.0.0.2").post(support_url(case)).status_code == 303
    assert count(case) == 4


def test_support_needs_post_and_a_public_case(client, council, case):
    assert client.get(support_url(case)).status_code == 405
    services.withdraw_case(case=case, reason="Error")
    assert client.post(support_url(case)).status_code == 404
    private = open_case(category=make_private_category(council=council))
    assert client.post(support_url(private)).status_code == 404


def test_the_count_shows_on_the_case_and_home(client, case):
    client.cookies["django_language"] = "en"
    client.post(support_url(case))
    page = client.get(reverse("portal:record", args=[case.reference])).content.decode()
    assert "1 person supports this case." in page
    assert "You support this case." in page
    assert case.reference in client.get(reverse("portal:home")).content.decode()


def test_a_resident_supports_from_the_chat_once(council, case):
    resident = find_or_create_citizen(council=council, urn=new_urn())
    result = services.support_from_chat(
        council=council, citizen=resident, reference=f"apoyo {case.reference}"
    )
    assert result.outcome == SupportOutcome.ADDED and result.count == 1
    again = services.support_from_chat(council=council, citizen=resident, reference=case.reference)
    assert again.outcome == SupportOutcome.ALREADY and again.count == 1
    other = find_or_create_citizen(council=council, urn=new_urn())
    short = case.reference.replace("-00000", "-")  # "2026-1" is "2026-000001"
    assert services.support_from_chat(council=council, citizen=other, reference=short).count == 2
    assert Support.objects.filter(via="chat").count() == 2


def test_chat_supports_of_what_cannot_be_supported(council):
    reporter = find_or_create_citizen(council=council, urn=new_urn())
    public = make_public_category(council=council)
    own = open_case(category=public, urn=reporter.identities.get().urn)
    private = open_case(category=make_private_category(council=council))
    withdrawn = open_case(category=public)
    services.withdraw_case(case=withdrawn, reason="Error")
    elsewhere = make_council()
    stranger = find_or_create_citizen(council=elsewhere, urn=new_urn())

    def outcome(citizen, reference):
        return services.support_from_chat(
            council=council, citizen=citizen, reference=reference
        ).outcome

    assert outcome(reporter, own.reference) == SupportOutcome.OWN_CASE
    assert outcome(reporter, private.reference) == SupportOutcome.NOT_FOUND
    assert outcome(reporter, withdrawn.reference) == SupportOutcome.NOT_FOUND
    assert outcome(reporter, "apoyo") == SupportOutcome.NOT_FOUND
    assert outcome(reporter, "2026-999999") == SupportOutcome.NOT_FOUND
    assert outcome(stranger, own.reference) == SupportOutcome.NOT_FOUND
    assert not Support.objects.exists()


def test_supports_of_closed_cases_leave_the_ranking(client, council, case):
    from ventanilla.cases import services as case_services

    client.post(support_url(case))
    assert case.reference in client.get(reverse("portal:ranking")).content.decode()
    case_services.change_status(case=case, status=Status.REJECTED)
    assert case.reference not in client.get(reverse("portal:ranking")).content.decode()
