import pytest
from django.core.files.base import ContentFile

from ventanilla.cases.models import CaseAccess
from ventanilla.cases.tests.factories import make_case
from ventanilla.inbox.tests.factories import (
    make_attachment,
    make_channel,
    make_conversation,
    make_message,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(town):
    channel = make_channel(council=town.council)
    case = make_case(category=town.category_a, urn="telegram:424242")
    message = make_message(
        case=case, conversation=make_conversation(channel=channel, urn="telegram:424242")
    )
    photo = make_attachment(message=message, filename="bache.jpg")
    photo.file.save("bache.jpg", ContentFile(b"jpeg bytes"), save=True)
    document = make_attachment(
        message=message, kind="document", content_type="application/pdf", filename="acta.pdf"
    )
    document.file.save("acta.pdf", ContentFile(b"%PDF"), save=True)
    vector = make_attachment(message=message, content_type="image/svg+xml", filename="x.svg")
    vector.file.save("x.svg", ContentFile(b"<svg onload='alert(1)'/>"), save=True)
    pending = make_attachment(message=message, media_ref="provider-media-id")
    return {"case": case, "photo": photo, "document": document, "svg": vector, "pending": pending}


def test_images_are_shown_inline_and_documents_downloaded(town, files):
    client = signed_in(town.agent_a)
    photo = client.get(f"/inbox/attachments/{files['photo'].pk}/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Disposition"].startswith("inline")
    assert b"".join(photo.streaming_content) == b"jpeg bytes"
    assert photo["Cache-Control"] == "private, no-store"
    document = client.get(f"/inbox/attachments/{files['document'].pk}/")
    assert document["Content-Disposition"].startswith('attachment; filename="acta.pdf"')


def test_svg_is_never_shown_inline_and_files_are_sandboxed(town, files):
    response = signed_in(town.agent_a).get(f"/inbox/attachments/{files['svg'].pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_agent_of_another_department_gets_404_for_the_file(town, files):
    client = signed_in(town.agent_b)
    for key in ("photo", "document"):
        assert client.get(f"/inbox/attachments/{files[key].pk}/").status_code == 404


def test_a_file_not_downloaded_yet_is_404(town, files):
    client = signed_in(town.agent_a)
    assert client.get(f"/inbox/attachments/{files['pending'].pk}/").status_code == 404


def test_opening_a_file_is_written_to_the_access_log(town, files):
    signed_in(town.supervisor).get(f"/inbox/attachments/{files['photo'].pk}/")
    entry = CaseAccess.objects.get()
    assert (entry.case, entry.user, entry.via) == (files["case"], town.supervisor, "attachment")


def test_files_need_a_signed_in_session(client, files):
    response = client.get(f"/inbox/attachments/{files['photo'].pk}/")
    assert response.status_code == 302
