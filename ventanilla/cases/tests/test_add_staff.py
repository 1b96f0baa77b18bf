"""`ventanilla add_staff`: a staff member, their role, departments and second factor."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from django_otp.oath import totp

from ventanilla.cases.models import Role, Staff
from ventanilla.cases.tests.factories import make_council, make_department
from ventanilla.core.models import EncryptedTOTPDevice

pytestmark = pytest.mark.django_db


def add_staff(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("add_staff", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def council():
    council = make_council(slug="villaverde", name="Villaverde")
    make_department(council=council, name="Servicios Urbanos")
    make_department(council=council, name="Policía Local")
    return council


def test_add_staff_creates_an_agent_with_departments_password_and_totp(council):
    output = add_staff(
        "ana",
        "--council=villaverde",
        "--role=agent",
        "--department=servicios urbanos",
        "--department=Policía Local",
        "--email=ana@villaverde.example.es",
    )

    staff = Staff.objects.get(user__username="ana")
    assert staff.council == council
    assert sorted(d.name_es for d in staff.departments.all()) == [
        "Policía Local",
        "Servicios Urbanos",
    ]
    user = staff.user
    assert user.email == "ana@villaverde.example.es"
    assert list(user.groups.values_list("name", flat=True)) == [Role.AGENT.value]
    assert not user.is_staff and not user.is_superuser
    password = output.split("Password (shown only this once): ")[1].split()[0]
    assert authenticate(username="ana", password=password) == user
    device = EncryptedTOTPDevice.objects.get(user=user)
    assert device.confirmed and device.config_url in output
    assert "Scan this" in output and "█" in output
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert device.verify_token(f"{code:06d}")


def test_an_administrator_needs_no_department_and_may_use_the_admin(council):
    output = add_staff("admin.villa", "--role=administrator", "--no-qr")

    user = get_user_model().objects.get(username="admin.villa")
    assert user.is_staff and user.staff.council == council
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMINISTRATOR.value]
    assert "otpauth://totp/" in output and "█" not in output


def test_a_department_may_be_named_by_its_id(council):
    department = council.departments.get(name_es="Policía Local")
    add_staff("bruno", "--role=agent", f"--department={department.pk}", "--no-qr")
    assert list(Staff.objects.get(user__username="bruno").departments.all()) == [department]


def test_an_unknown_department_is_refused_and_nothing_is_created(council):
    with pytest.raises(CommandError, match="no department 'Parques'.*Policía Local"):
        add_staff("ana", "--role=agent", "--department=Parques")
    assert not get_user_model().objects.filter(username="ana").exists()
    assert not EncryptedTOTPDevice.objects.exists()


def test_another_councils_department_is_not_found(council):
    other = make_council(slug="otra")
    make_department(council=other, name="Parques")
    with pytest.raises(CommandError, match="no department 'Parques'"):
        add_staff("ana", "--council=villaverde", "--role=agent", "--department=Parques")


def test_an_agent_without_department_is_refused(council):
    with pytest.raises(CommandError, match="give --department"):
        add_staff("ana", "--role=agent")
    assert not get_user_model().objects.filter(username="ana").exists()


def test_an_existing_username_is_refused(council):
    add_staff("sara", "--role=supervisor", "--no-qr")
    with pytest.raises(CommandError, match="already a user called 'sara'"):
        add_staff("sara", "--role=auditor", "--no-qr")
    assert EncryptedTOTPDevice.objects.count() == 1


def test_no_council_says_how_to_create_one():
    with pytest.raises(CommandError, match="ventanilla add_council"):
        add_staff("ana", "--role=supervisor")
