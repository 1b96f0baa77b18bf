"""Staff never read a resident's one-time code: the inbox and the resident's data export show
it masked, the resident's phone receives it, and the row forgets it once sent."""

from __future__ import annotations

import re

from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import make_staff
from ventanilla.conversations import delivery
from ventanilla.conversations.delivery_tasks import outbound_for
from ventanilla.conversations.models import SECRET_MASK, Message
from ventanilla.conversations.privacy import export
from ventanilla.conversations.tests.chat import Resident, make_channel
from ventanilla.inbox.tests.factories import signed_in
from ventanilla.privacy.subjects import Subject
from ventanilla.procedures.tests.conftest import person


def test_the_inbox_and_the_export_show_the_code_masked_while_the_phone_gets_it(town, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person(town.council)
    owner = Resident(make_channel(town.council, "twilio"), urn="tel:+34600111222")
    owner.accept_notice()
    owner.send("volante")
    owner.send("12345678Z")
    owner.send("12/03/1980")
    [code_message] = [m for m in owner.outbox() if "Su código es" in m.text]

    code = re.search(r"\b(\d{6})\b", outbound_for(code_message).text)
    assert code, outbound_for(code_message).text
    assert code_message.text == f"Su código es {SECRET_MASK}. No lo comparta con nadie."
    assert code.group(1) not in str(code_message.payload)  # encrypted in the row

    staff = signed_in(make_staff(council=town.council, role=Role.SUPERVISOR))
    page = staff.get(f"/inbox/conversations/{owner.conversation.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SECRET_MASK in html and code.group(1) not in html
    exported = str(
        export(
            Subject(
                council_id=town.council.pk,
                citizen_id=owner.citizen.pk,
                urn=owner.conversation_urn,
                urns=(owner.conversation_urn,),
                names=(),
            )
        )
    )
    assert "Su código es" in exported and code.group(1) not in exported

    delivery.record_sent(message=code_message, provider_message_id="SM-code")
    sent = Message.objects.get(pk=code_message.pk)
    assert "secret" not in sent.payload and sent.text == code_message.text
