import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.core.tests.signin import sign_in
from ventanilla.inbox.models import CannedReply
from ventanilla.inbox.tests.factories import make_canned_reply

pytestmark = pytest.mark.django_db


def test_templates_are_the_replies_with_a_whatsapp_name(town):
    plain = make_canned_reply(council=town.council)
    template = make_canned_reply(council=town.council, whatsapp_template_name="aviso")
    make_canned_reply(council=town.council, active=False, whatsapp_template_name="viejo")
    assert set(CannedReply.objects.of(town.council)) == {plain, template}
    assert list(CannedReply.objects.of(town.council).templates()) == [template]
    assert template.is_template and not plain.is_template


def test_a_title_is_unique_per_council_and_language(town):
    make_canned_reply(council=town.council, title="Gracias", language="es")
    make_canned_reply(council=town.council, title="Gracias", language="ca")
    with pytest.raises(IntegrityError):
        make_canned_reply(council=town.council, title="Gracias", language="es")


def test_the_admin_shows_only_the_councils_own_replies(town, client):
    mine = make_canned_reply(council=town.council, title="Nuestra respuesta")
    make_canned_reply(council=make_council(), title="Respuesta ajena")
    admin = make_staff(council=town.council, role=Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save()
    admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inbox", codename__endswith="reply")
    )
    sign_in(client, admin)
    listing = client.get("/admin/inbox/cannedreply/").content.decode()
    assert "Nuestra respuesta" in listing and "Respuesta ajena" not in listing
    assert client.get(f"/admin/inbox/cannedreply/{mine.pk}/change/").status_code == 200
    other = CannedReply.objects.get(title="Respuesta ajena")
    assert client.get(f"/admin/inbox/cannedreply/{other.pk}/change/").status_code == 404
