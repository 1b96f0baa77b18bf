"""A council's administrator is confined to their council and cannot grant installation rights."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from ventanilla.cases.models import Category, Note, Role, Staff
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.core.models import ApiToken, Council
from ventanilla.core.tests.signin import sign_in
from ventanilla.core.tokens import issue_api_token

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def world(db):
    root = User.objects.create_superuser("root", password="a-long-test-password")
    ours, theirs = make_council(), make_council()
    administrator = make_staff(council=ours, role=Role.ADMINISTRATOR, username="admin.ours")
    administrator.is_staff = True
    administrator.save()
    return {
        "root": root,
        "ours": ours,
        "theirs": theirs,
        "administrator": administrator,
        "colleague": make_staff(council=ours, role=Role.AGENT, username="agente.ours"),
        "stranger": make_staff(council=theirs, role=Role.ADMINISTRATOR, username="admin.theirs"),
        "client": sign_in(Client(), administrator),
    }


def user_form(user, **changes):
    """The fields of the user change form as a browser would post them back."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
    }
    data.update(changes)
    return data


def test_cannot_make_anyone_the_installations_superuser(world):
    client, root = world["client"], world["root"]
    response = client.post(
        f"/admin/auth/user/{root.pk}/change/", user_form(root, is_superuser="on")
    )
    assert response.status_code == 404
    me = world["administrator"]
    response = client.post(
        f"/admin/auth/user/{me.pk}/change/",
        user_form(me, is_staff="on", is_superuser="on", user_permissions=["1", "2"]),
    )
    assert response.status_code == 302, response.content.decode()[:500]
    me.refresh_from_db()
    assert not me.is_superuser and not me.user_permissions.exists()
    page = client.get(f"/admin/auth/user/{me.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_can_only_give_the_staff_roles(world):
    client, colleague = world["client"], world["colleague"]
    powerful = Group.objects.create(name="operators")
    response = client.post(
        f"/admin/auth/user/{colleague.pk}/change/",
        user_form(colleague, groups=[str(powerful.pk)]),
    )
    assert response.status_code == 200  # the form says the choice is not valid
    assert not colleague.groups.filter(pk=powerful.pk).exists()
    supervisor = Group.objects.get(name=Role.SUPERVISOR.value)
    response = client.post(
        f"/admin/auth/user/{colleague.pk}/change/",
        user_form(colleague, groups=[str(supervisor.pk)]),
    )
    assert response.status_code == 302
    assert list(colleague.groups.values_list("name", flat=True)) == [Role.SUPERVISOR.value]


def test_groups_and_their_permissions_are_the_installations(world):
    client = world["client"]
    assert client.get("/admin/auth/group/").status_code == 403
    group = Group.objects.get(name=Role.AGENT.value)
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    assert "/admin/auth/group/" not in client.get("/admin/").content.decode()


def test_another_councils_row_and_its_users_are_not_found(world):
    client, theirs, stranger = world["client"], world["theirs"], world["stranger"]
    assert client.get(f"/admin/core/council/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/admin/core/council/{theirs.pk}/delete/").status_code == 404
    assert client.get(f"/admin/core/council/{theirs.pk}/history/").status_code == 404
    assert client.get(f"/admin/core/council/{world['ours'].pk}/change/").status_code == 200
    assert theirs.name not in client.get("/admin/core/council/").content.decode()
    assert client.get(f"/admin/auth/user/{stranger.pk}/change/").status_code == 404
    assert client.get(f"/admin/auth/user/{stranger.pk}/password/").status_code == 404
    users = client.get("/admin/auth/user/").content.decode()
    assert "admin.theirs" not in users and "root" not in users and "agente.ours" in users
    assert client.get("/admin/core/council/add/").status_code == 403


def test_cannot_take_another_councils_portal_domain(world):
    ours, theirs = world["ours"], world["theirs"]
    theirs.domain = "theirs.example.org"
    theirs.save()
    page = world["client"].get(f"/admin/core/council/{ours.pk}/change/").content.decode()
    assert 'name="domain"' not in page and 'name="jurisdiction_id"' not in page


def test_cannot_put_rows_into_another_council(world):
    client, theirs = world["client"], world["theirs"]
    response = client.post(
        "/admin/cases/category/add/",
        {
            "council": str(theirs.pk),
            "department": str(make_department(council=theirs).pk),
            "code": "intrusa",
            "name_es": "Intrusa",
            "resolution_days": "10",
            "first_response_hours": "24",
        },
    )
    assert response.status_code == 200  # refused with the form's errors
    assert not Category.objects.filter(code="intrusa").exists()
    page = client.get("/admin/cases/category/add/").content.decode()
    assert f'<option value="{theirs.pk}"' not in page


def test_cannot_hand_a_staff_place_to_another_account(world):
    client, colleague, root = world["client"], world["colleague"], world["root"]
    staff = Staff.objects.get(user=colleague)
    client.post(
        f"/admin/cases/staff/{staff.pk}/change/",
        {"user": str(root.pk), "council": str(world["ours"].pk), "language": "es"},
    )
    staff.refresh_from_db()
    assert staff.user_id == colleague.pk


def test_other_peoples_api_tokens_are_not_shown(world):
    client = world["client"]
    issue_api_token(user=world["administrator"])
    issue_api_token(user=world["colleague"])
    issue_api_token(user=world["stranger"])
    theirs = ApiToken.objects.get(user=world["stranger"])
    colleagues = ApiToken.objects.get(user=world["colleague"])
    listing = client.get("/admin/core/apitoken/").content.decode()
    assert "admin.ours" in listing and "admin.theirs" not in listing
    assert "agente.ours" not in listing
    assert client.get(f"/admin/core/apitoken/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/admin/core/apitoken/{colleagues.pk}/change/").status_code == 404


def test_another_councils_notes_are_not_shown(world):
    case = make_case(category=make_category(council=world["theirs"]))
    note = Note.objects.create(case=case, text="Nota secreta")
    client = world["client"]
    assert "Nota secreta" not in client.get("/admin/cases/note/").content.decode()
    assert client.get(f"/admin/cases/note/{note.pk}/change/").status_code == 404


def test_an_account_added_by_a_council_administrator_joins_their_council(world):
    response = world["client"].post(
        "/admin/auth/user/add/",
        {
            "username": "nuevo.agente",
            "usable_password": "true",
            "password1": "una-clave-larga-2026",
            "password2": "una-clave-larga-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Staff.objects.get(user__username="nuevo.agente").council == world["ours"]


def test_the_superuser_still_sees_every_council(world):
    client = sign_in(Client(), world["root"])
    for council in Council.objects.all():
        assert client.get(f"/admin/core/council/{council.pk}/change/").status_code == 200
    assert client.get(f"/admin/auth/user/{world['stranger'].pk}/change/").status_code == 200
