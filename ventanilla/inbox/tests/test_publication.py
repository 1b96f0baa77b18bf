import pytest

from ventanilla.cases.tests.factories import make_case, make_category
from ventanilla.inbox.tests.factories import signed_in
from ventanilla.portal.models import PublicationLogEntry, PublicRecord
from ventanilla.streets.services import import_streets

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(town):
    category = make_category(council=town.council, department=town.dept_a, public_by_default=True)
    return make_case(
        category=category,
        description="La farola no va. Soy Lucía Martín, 600111222",
        urn="whatsapp:34600111222",
    )


def post(client, case, action, data):
    return client.post(f"/inbox/cases/{case.reference}/{action}/", data)


def test_the_case_page_shows_the_proposed_summary_with_the_removed_data_marked(town, case):
    page = signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/").content.decode()
    assert "Proposed summary" in page and 'class="redacted"' in page
    assert "600111222" not in page.split("data-proposed-summary")[1].split("</p>")[0]


def test_approve_edit_or_keep_the_summary_private_each_leaves_a_history_row(town, case):
    agent = signed_in(town.agent_a)
    record = PublicRecord.objects.get(case=case)
    assert post(agent, case, "summary", {"summary-decision": "draft"}).status_code == 303
    record.refresh_from_db()
    assert record.summary == record.summary_draft and record.summary_approved_at
    post(
        agent,
        case,
        "summary",
        {"summary-decision": "edited", "summary-text": "Farola, tel 600111222"},
    )
    record.refresh_from_db()
    assert record.summary == "Farola, tel [teléfono]"
    post(agent, case, "summary", {"summary-decision": "private"})
    record.refresh_from_db()
    assert record.summary == "" and record.summary_approved_at is not None
    actions = list(record.log.values_list("action", flat=True))
    assert actions.count(PublicationLogEntry.Action.SUMMARY) == 3
    assert case.events.filter(kind="publication").count() >= 4


def test_an_empty_edit_is_refused_and_changes_nothing(town, case):
    response = post(signed_in(town.agent_a), case, "summary", {"summary-decision": "edited"})
    assert response.status_code == 422
    assert PublicRecord.objects.get(case=case).summary_approved_at is None


def test_an_auditor_or_another_department_cannot_publish(town, case):
    assert (
        post(signed_in(town.auditor), case, "summary", {"summary-decision": "draft"}).status_code
        == 403
    )
    assert (
        post(signed_in(town.agent_b), case, "summary", {"summary-decision": "draft"}).status_code
        == 404
    )
    assert PublicRecord.objects.get(case=case).summary_approved_at is None


def test_withdraw_needs_a_reason_then_republish(town, case):
    agent = signed_in(town.agent_a)
    assert post(agent, case, "withdraw", {"withdraw-reason": ""}).status_code == 422
    post(agent, case, "withdraw", {"withdraw-reason": "Datos de salud"})
    assert PublicRecord.objects.get(case=case).withdrawn_at is not None
    post(agent, case, "republish", {})
    assert PublicRecord.objects.get(case=case).withdrawn_at is None


def test_a_typed_address_is_matched_against_the_street_directory(town, case):
    import_streets(
        council=town.council, lines=["street,numbers,lat,lon\n", "Calle Mayor,1-99,40.4,-3.7\n"]
    )
    agent = signed_in(town.agent_a)
    assert post(agent, case, "location", {"location-address": "C/ Mayor 14"}).status_code == 303
    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.address) == (40.4, -3.7, "Calle Mayor 14")
    response = post(agent, case, "location", {"location-address": "Calle Mayo 3"})
    assert response.status_code == 422 and "Calle Mayor" in response.content.decode()
    response = post(agent, case, "location", {"location-latitude": "95", "location-longitude": "1"})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.latitude == 40.4


def test_the_pending_queue_counts_and_approves_in_bulk(town, case):
    other = make_case(category=case.category, description="Bache enorme en la acera")
    agent = signed_in(town.agent_a)
    page = agent.get("/inbox/publication/").content.decode()
    assert "2 public cases wait" in page and case.reference in page and other.reference in page
    response = agent.post(
        "/inbox/publication/approve/", {"references": [case.reference, other.reference]}
    )
    assert response.status_code == 303
    assert PublicRecord.objects.filter(summary_approved_at__isnull=False).count() == 2
    assert "Nothing is waiting" in agent.get("/inbox/publication/").content.decode()


def test_search_in_the_inbox_finds_a_resolved_case_by_phone(town, case):
    from ventanilla.cases import services

    services.change_status(case=case, status="in_progress")
    services.change_status(case=case, status="resolved")
    page = signed_in(town.agent_a).get("/inbox/", {"queue": "department", "q": "600 11 12 22"})
    assert case.reference in page.content.decode()
    page = signed_in(town.agent_a).get("/inbox/", {"queue": "department"})
    assert case.reference not in page.content.decode()
