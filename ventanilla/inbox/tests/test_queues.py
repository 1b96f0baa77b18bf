import datetime as dt

import pytest
from django.utils import timezone

from ventanilla.cases import services
from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_case
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Provider
from ventanilla.inbox import selectors
from ventanilla.inbox.tests.factories import make_channel, signed_in

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    return [case.reference for case in response.context["page"].cases]


def counts(response) -> dict[str, str]:
    return {item.queue.key: item.shown for item in response.context["counts"]}


NOW = timezone.now().replace(microsecond=0)


def move_due(case: Case, **delta: float) -> None:
    Case.objects.filter(pk=case.pk).update(due_at=NOW + dt.timedelta(**delta))


def test_each_queue_holds_its_cases(town):
    mine = make_case(category=town.category_a, description="mine")
    services.assign_case(case=mine, agent=town.agent_a, by=town.agent_a)
    unassigned = make_case(category=town.category_a, description="unassigned")
    at_risk = make_case(category=town.category_a, description="at risk")
    move_due(at_risk, hours=2)
    overdue = make_case(category=town.category_a, description="overdue")
    move_due(overdue, hours=-3)
    waiting = make_case(category=town.category_a, description="waiting")
    services.change_status(case=waiting, status=Status.WAITING_RESIDENT)
    resolved = make_case(category=town.category_a, description="resolved")
    services.change_status(case=resolved, status=Status.IN_PROGRESS)
    services.change_status(case=resolved, status=Status.RESOLVED)
    client = signed_in(town.agent_a)

    def queue(key: str) -> set[str]:
        response = client.get("/inbox/", {"queue": key})
        assert response.status_code == 200
        return set(references(response))

    assert queue("mine") == {mine.reference}
    assert queue("unassigned") == {
        unassigned.reference,
        at_risk.reference,
        overdue.reference,
        waiting.reference,
    }
    assert queue("at_risk") == {at_risk.reference}
    assert queue("overdue") == {overdue.reference}
    assert queue("waiting") == {waiting.reference}
    assert resolved.reference not in queue("department")
    assert queue("department") == {
        mine.reference,
        unassigned.reference,
        at_risk.reference,
        overdue.reference,
        waiting.reference,
    }
    response = client.get("/inbox/", {"queue": "department"})
    assert counts(response) == {
        "mine": "1",
        "department": "5",
        "unassigned": "4",
        "at_risk": "1",
        "overdue": "1",
        "waiting": "1",
    }


def test_all_queue_is_for_supervisors_only(town):
    case_a = make_case(category=town.category_a)
    case_b = make_case(category=town.category_b)
    assert signed_in(town.agent_a).get("/inbox/", {"queue": "all"}).status_code == 404
    response = signed_in(town.supervisor).get("/inbox/", {"queue": "all"})
    assert set(references(response)) == {case_a.reference, case_b.reference}
    assert counts(response)["all"] == "2"
    assert "department" not in counts(response)  # a supervisor without departments


def test_default_queue_is_my_departments_for_agents_and_all_for_supervisors(town):
    assert signed_in(town.agent_a).get("/inbox/").context["queue"].key == "department"
    assert signed_in(town.supervisor).get("/inbox/").context["queue"].key == "all"


def test_agent_never_sees_another_departments_case_in_lists_counts_or_search(town):
    mine = make_case(category=town.category_a, description="Farola rota en la plaza")
    theirs = make_case(category=town.category_b, description="Farola y ruido en la plaza")
    client = signed_in(town.agent_a)
    for key in ("mine", "department", "unassigned", "at_risk", "overdue", "waiting"):
        response = client.get("/inbox/", {"queue": key})
        assert theirs.reference not in response.content.decode()
    response = client.get("/inbox/", {"queue": "unassigned", "q": "plaza"})
    assert references(response) == [mine.reference]
    response = client.get("/inbox/", {"queue": "unassigned", "q": theirs.reference})
    assert references(response) == []
    response = client.get("/inbox/", {"queue": "unassigned", "department": town.dept_b.pk})
    assert references(response) == [mine.reference]  # not a choice for this agent: ignored
    assert counts(client.get("/inbox/", {"queue": "unassigned"}))["unassigned"] == "1"


def test_filters_by_status_category_department_channel_date_and_text(town):
    whatsapp = make_channel(council=town.council, provider=Provider.WHATSAPP)
    lamp = make_case(category=town.category_a, description="Farola apagada", channel=whatsapp)
    noise = make_case(category=town.category_b, description="Música alta", address="Plaza Mayor")
    old = make_case(category=town.category_a, description="Bache antiguo")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    services.change_status(case=noise, status=Status.IN_PROGRESS)
    client = signed_in(town.supervisor)

    def found(**params) -> set[str]:
        return set(references(client.get("/inbox/", {"queue": "all", **params})))

    assert found(status="in_progress") == {noise.reference}
    assert found(category=town.category_a.pk) == {lamp.reference, old.reference}
    assert found(department=town.dept_b.pk) == {noise.reference}
    assert found(channel=whatsapp.pk) == {lamp.reference}
    recent = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert found(date_from=recent) == {lamp.reference, noise.reference}
    long_ago = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert found(date_to=long_ago) == {old.reference}
    assert found(q="farola") == {lamp.reference}
    assert found(q="plaza mayor") == {noise.reference}
    assert found(q=lamp.reference) == {lamp.reference}
    assert found(status="nonsense") == {lamp.reference, noise.reference, old.reference}


def test_status_filter_reaches_finished_cases(town):
    case = make_case(category=town.category_a)
    services.change_status(case=case, status=Status.IN_PROGRESS)
    services.change_status(case=case, status=Status.RESOLVED)
    client = signed_in(town.agent_a)
    assert references(client.get("/inbox/", {"queue": "department"})) == []
    response = client.get("/inbox/", {"queue": "department", "status": "resolved"})
    assert references(response) == [case.reference]


def test_sorted_by_deadline_by_default_and_by_newest_on_request(town):
    later = make_case(category=town.category_a)
    sooner = make_case(category=town.category_a)
    move_due(later, days=5)
    move_due(sooner, days=1)
    client = signed_in(town.agent_a)
    assert references(client.get("/inbox/", {"queue": "department"})) == [
        sooner.reference,
        later.reference,
    ]
    newest = client.get("/inbox/", {"queue": "department", "sort": "newest"})
    assert references(newest) == [sooner.reference, later.reference]
    Case.objects.filter(pk=later.pk).update(created_at=timezone.now() + dt.timedelta(seconds=5))
    newest = client.get("/inbox/", {"queue": "department", "sort": "newest"})
    assert references(newest) == [later.reference, sooner.reference]


def test_keyset_pages_walk_forward_and_back_without_gaps(town, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    cases = [make_case(category=town.category_a) for _ in range(7)]
    for n, case in enumerate(cases):
        move_due(case, days=1 + n % 3)  # equal deadlines: the id breaks ties
    expected = [
        c.reference
        for c in Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("due_at", "id")
    ]
    client = signed_in(town.agent_a)
    seen, params, pages = [], {"queue": "department"}, []
    while True:
        response = client.get("/inbox/", params)
        page = response.context["page"]
        pages.append(page)
        seen += references(response)
        if not page.next_cursor:
            break
        params = {"queue": "department", "after": page.next_cursor}
    assert seen == expected
    assert len(pages) == 3
    back = client.get("/inbox/", {"queue": "department", "before": pages[-1].previous_cursor})
    assert references(back) == expected[3:6]
    assert back.context["page"].previous_cursor


def test_counts_are_bounded(town, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    for _ in range(4):
        make_case(category=town.category_a)
    response = signed_in(town.agent_a).get("/inbox/", {"queue": "department"})
    assert counts(response)["department"] == "2+"
    assert "2+" in response.content.decode()


def test_queue_page_query_count_does_not_grow_with_cases(town, django_assert_max_num_queries):
    channel = make_channel(council=town.council)
    for n in range(3):
        make_case(category=town.category_a, channel=channel, urn=f"telegram:{700 + n}")
    client = signed_in(town.agent_a)
    with django_assert_max_num_queries(25) as few:
        assert client.get("/inbox/", {"queue": "department"}).status_code == 200
    for n in range(30):
        make_case(category=town.category_a, channel=channel, urn=f"telegram:{800 + n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/inbox/", {"queue": "department"}).status_code == 200


def test_htmx_request_gets_only_the_parts_that_change(town):
    make_case(category=town.category_a)
    response = signed_in(town.agent_a).get(
        "/inbox/", {"queue": "department", "live": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="queue-results"' in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_queue_page_requires_sign_in_and_second_factor(town, client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/inbox/login/")
    client.force_login(town.agent_a)  # password only, no TOTP
    assert client.get("/inbox/").status_code == 302


def test_unknown_queue_is_404(town):
    assert signed_in(town.agent_a).get("/inbox/", {"queue": "secret"}).status_code == 404
