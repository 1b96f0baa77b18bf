import pytest

from ventanilla.cases.tests.factories import make_case
from ventanilla.inbox.tests.factories import signed_in

pytestmark = pytest.mark.django_db


def test_auditors_read_who_opened_which_case(town):
    case = make_case(category=town.category_a)
    signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/")
    response = signed_in(town.auditor).get("/inbox/audit/")
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.user, e.case) for e in entries] == [(town.agent_a, case)]
    assert "ana" in response.content.decode()


def test_the_log_filters_by_case_and_person(town):
    case = make_case(category=town.category_a)
    other = make_case(category=town.category_a)
    signed_in(town.agent_a).get(f"/inbox/cases/{case.reference}/")
    signed_in(town.supervisor).get(f"/inbox/cases/{other.reference}/")
    auditor = signed_in(town.auditor)
    by_case = auditor.get("/inbox/audit/", {"reference": other.reference}).context["entries"]
    assert [e.user for e in by_case] == [town.supervisor]
    by_person = auditor.get("/inbox/audit/", {"username": "ana"}).context["entries"]
    assert [e.case for e in by_person] == [case]


def test_agents_and_supervisors_cannot_read_the_log(town):
    assert signed_in(town.agent_a).get("/inbox/audit/").status_code == 403
    assert signed_in(town.supervisor).get("/inbox/audit/").status_code == 403


def test_the_log_shows_only_the_auditors_council(town):
    from ventanilla.cases.models import Role
    from ventanilla.cases.tests.factories import make_category, make_council, make_staff

    elsewhere = make_council()
    case = make_case(category=make_category(council=elsewhere))
    signed_in(make_staff(council=elsewhere, role=Role.SUPERVISOR)).get(
        f"/inbox/cases/{case.reference}/"
    )
    assert list(signed_in(town.auditor).get("/inbox/audit/").context["entries"]) == []
