import pytest
from django.test import Client

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.core.tests.signin import sign_in

pytestmark = pytest.mark.django_db


def admin_client(user):
    user.is_staff = True
    user.save()
    return sign_in(Client(), user)


def test_agent_gets_404_in_admin_for_another_departments_case():
    council = make_council()
    dept_a, dept_b = make_department(council=council), make_department(council=council)
    case_a = make_case(category=make_category(council=council, department=dept_a))
    case_b = make_case(category=make_category(council=council, department=dept_b))
    client = admin_client(make_staff(council=council, departments=(dept_a,)))
    assert client.get(f"/admin/cases/case/{case_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/cases/case/{case_b.pk}/change/").status_code == 404
    listing = client.get("/admin/cases/case/").content.decode()
    assert case_a.reference in listing and f"/admin/cases/case/{case_b.pk}/" not in listing


def test_supervisor_of_another_council_sees_none_of_its_rows_in_admin():
    council, other = make_council(), make_council()
    category = make_category(council=council, name_es="Alumbrado secreto")
    case = make_case(category=category)
    client = admin_client(make_staff(council=other, role=Role.SUPERVISOR))
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 404
    assert "Alumbrado secreto" not in client.get("/admin/cases/category/").content.decode()


def test_admin_needs_the_second_factor_when_it_is_required(settings):
    settings.OTP_REQUIRED = True
    council = make_council()
    user = make_staff(council=council, role=Role.ADMINISTRATOR)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)  # password only, no second factor
    response = client.get("/admin/cases/category/", follow=True)
    final_url, _ = response.redirect_chain[-1]
    assert final_url.startswith("/inbox/login/")
