import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from PIL import Image

from ventanilla.cases import services as case_services
from ventanilla.cases.models import CaseEvent
from ventanilla.cases.tests.factories import make_council, make_department, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import add_identity
from ventanilla.conversations.models import Attachment
from ventanilla.core.tests.signin import sign_in
from ventanilla.portal import services
from ventanilla.portal.models import (
    PublicationLogEntry,
    PublicPhoto,
    PublicRecord,
)
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    message_with_photo,
    open_case,
    record_of,
)
from ventanilla.privacy.geo import distance_metres
from ventanilla.privacy.publication import known_names, public_point, public_street

pytestmark = pytest.mark.django_db


def visible(council):
    return list(PublicRecord.objects.of(council).visible().values_list("reference", flat=True))


def test_a_public_case_is_published_when_opened_with_only_public_data():
    council = make_council()
    category = make_public_category(council=council)
    case = open_case(
        category=category,
        description="Soy Lucía Martín, la farola de la calle Mayor 14 no va. Tlf 600111222",
        name="Lucía Martín",
        latitude=40.416901,
        longitude=-3.703301,
        address="Calle Mayor 14, 3º B, 28013 Madrid",
    )
    record = record_of(case)
    assert record.reference == case.reference and record.status == Status.NEW
    assert record.category == category and record.department == category.department
    # the summary waits for staff; the draft has the resident's data removed
    assert record.summary == ""
    assert "farola" in record.summary_draft
    for secret in ("Lucía", "Martín", "600111222", "Mayor 14"):
        assert secret not in record.summary_draft
    assert record.street == "Calle Mayor"
    assert (record.latitude, record.longitude) != (case.latitude, case.longitude)
    moved = distance_metres((record.latitude, record.longitude), (case.latitude, case.longitude))
    assert moved < 50
    assert [e.kind for e in record.events.all()] == ["created"]
    assert record.log.get().action == PublicationLogEntry.Action.PUBLISHED
    assert case.events.filter(kind=CaseEvent.Kind.PUBLICATION).exists()
    assert visible(council) == [case.reference]


def test_a_case_of_a_private_category_is_never_published():
    council = make_council()
    case = open_case(category=make_private_category(council=council))
    assert not PublicRecord.objects.exists()
    with pytest.raises(services.PublicationError):
        services.publish_case(case=case)


def test_status_changes_follow_into_the_public_history():
    council = make_council()
    other = make_department(council=council)
    case = open_case(category=make_public_category(council=council))
    case_services.change_status(case=case, status=Status.IN_PROGRESS, comment="Llamé a Lucía")
    case_services.transfer_case(case=case, department=other, comment="privado")
    case = case_services.change_status(case=case, status=Status.RESOLVED)
    record = record_of(case)
    assert record.status == Status.RESOLVED and not record.is_open
    assert record.department == other
    assert record.resolved_at == case.resolved_at
    assert record.updated_at == case.resolved_at
    rows = [(e.kind, e.status, e.department_id) for e in record.events.all()]
    assert rows == [
        ("created", "new", None),
        ("status", "in_progress", None),
        ("department", "", other.pk),
        ("status", "resolved", None),
    ]


def test_history_is_copied_when_a_case_is_published_late():
    council = make_council()
    case = open_case(category=make_private_category(council=council), status=Status.IN_PROGRESS)
    public = make_public_category(council=council)
    case_services.change_category(case=case, category=public)
    record = record_of(case)
    rows = [(e.kind, e.status, e.department_id) for e in record.events.all()]
    assert rows == [
        ("created", "new", None),
        ("status", "in_progress", None),
        ("department", "", public.department_id),  # the new category's department
    ]
    case.refresh_from_db()
    assert case.is_public


def test_moving_a_case_to_a_private_category_hides_it_and_back_shows_it():
    council = make_council()
    public = make_public_category(council=council)
    private = make_private_category(council=council, department=public.department)
    case = open_case(category=public)
    case_services.change_category(case=case, category=private)
    assert visible(council) == []
    case.refresh_from_db()
    assert not case.is_public
    case_services.change_category(case=case, category=public)
    assert visible(council) == [case.reference]


def test_staff_approve_the_summary_and_it_is_redacted_again():
    council = make_council()
    agent = make_staff(council=council)
    case = open_case(category=make_public_category(council=council), name="Ana Ruiz")
    record = services.update_public_summary(
        case=case, text="Farola apagada; avisar a Ana Ruiz al 611 22 33 44", by=agent
    )
    assert record.summary.startswith("Farola apagada")
    assert "611 22 33 44" not in record.summary and "Ruiz" not in record.summary
    assert record.summary_approved_at is not None
    case.refresh_from_db()
    assert case.public_summary == record.summary
    entry = record.log.last()
    assert entry.action == PublicationLogEntry.Action.SUMMARY and entry.actor == agent
    with pytest.raises(services.PublicationError):
        services.update_public_summary(case=case, text="x", by=make_staff(council=make_council()))


def test_withdrawal_needs_a_reason_is_logged_and_can_be_undone():
    council = make_council()
    agent = make_staff(council=council)
    case = open_case(category=make_public_category(council=council))
    with pytest.raises(services.PublicationError):
        services.withdraw_case(case=case, reason="  ", by=agent)
    services.withdraw_case(case=case, reason="Identifica a la vecina", by=agent)
    assert visible(council) == []
    case.refresh_from_db()
    assert not case.is_public
    entry = PublicationLogEntry.objects.get(action="withdrawn")
    assert (entry.reason, entry.actor) == ("Identifica a la vecina", agent)
    # a status change does not bring it back
    case_services.change_status(case=case, status=Status.IN_PROGRESS)
    assert visible(council) == []
    services.publish_case(case=case, by=agent)
    assert visible(council) == [case.reference]
    assert record_of(case).log.last().action == PublicationLogEntry.Action.REPUBLISHED


def test_an_approved_photo_is_a_copy_without_its_location_metadata(settings):
    council = make_council()
    agent = make_staff(council=council)
    case = open_case(category=make_public_category(council=council), name="Lucía")
    attachment = message_with_photo(case=case)
    with Image.open(attachment.file.path) as original:
        assert original.getexif().get_ifd(0x8825)  # the resident's photo has GPS data
    photo = services.approve_photo(attachment=attachment, by=agent, alt_text="Farola de Lucía")
    assert "Lucía" not in photo.alt_text
    assert "Lucia" not in photo.image.name and photo.image.name.endswith(".jpg")
    with Image.open(io.BytesIO(photo.image.read())) as public:
        assert not public.getexif()
    attachment.refresh_from_db()
    assert attachment.public_approved
    assert services.approve_photo(attachment=attachment, by=agent) == photo  # idempotent
    services.remove_photo(photo=photo, by=agent, reason="Se ve una cara")
    assert not PublicPhoto.objects.exists()
    assert not Attachment.objects.get(pk=attachment.pk).public_approved
    actions = list(record_of(case).log.values_list("action", flat=True))
    assert actions == ["published", "photo_approved", "photo_removed"]


def test_a_failure_to_publish_never_blocks_the_case(monkeypatch):
    council = make_council()

    def broken(**kwargs):
        raise RuntimeError("portal down")

    monkeypatch.setattr(services, "draft_summary", broken)  # the redaction fails
    case = open_case(category=make_public_category(council=council))
    assert case.pk and not PublicRecord.objects.exists()


def test_publish_cases_command_publishes_the_backlog(monkeypatch):
    council = make_council(slug="villa")
    monkeypatch.setattr(services, "case_opened", lambda **kwargs: None)
    case = open_case(category=make_public_category(council=council))
    monkeypatch.undo()
    assert not PublicRecord.objects.exists()
    call_command("publish_cases", "villa")
    assert visible(council) == [case.reference]


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("Calle Mayor 14, 3º B, 28013 Madrid", "Calle Mayor"),
        ("Mayor 14", "Mayor"),
        ("Av. Diagonal 123", "Av. Diagonal"),
        ("Plaza 2 de Mayo 5", "Plaza 2 de Mayo"),
        ("c/ mayor 3 2º1ª", "c/ mayor"),
        ("Carrer de la Pau 12, 3r 2a", "Carrer de la Pau"),
        ("Calle Real nº 7 1ºD", "Calle Real"),
        ("28013 Madrid", "Madrid"),
        ("", ""),
    ],
)
def test_public_street_keeps_the_street_only(address, street):
    assert public_street(address) == street


def test_public_street_removes_the_residents_name():
    assert "Lucía" not in public_street("Casa de Lucía, calle Mayor", names=["Lucía Martín"])


def test_known_names_are_the_profile_and_channel_names():
    council = make_council()
    case = open_case(category=make_public_category(council=council), name="Lucía Martín")
    add_identity(citizen=case.citizen, urn="telegram:12345", display="Lu M.")
    assert known_names(case) == ["Lu M.", "Lucía Martín"]
    assert known_names(open_case(category=case.category)) == []


def test_public_point_snaps_and_ignores_what_is_no_point(settings):
    settings.PUBLIC_GRID_METRES = 200
    snapped = public_point(40.4169, -3.7033)
    assert snapped is not None and distance_metres(snapped, (40.4169, -3.7033)) < 200 * 0.75
    assert public_point(40.4169, -3.7033) == public_point(40.41695, -3.70331)
    assert public_point(None, -3.7) is None
    assert public_point(123.0, 0.0) is None


@time_machine.travel(dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC), tick=False)
def test_dates_of_the_record_follow_the_case():
    council = make_council()
    case = open_case(category=make_public_category(council=council))
    record = record_of(case)
    assert record.requested_at == case.created_at == dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)
    assert record.expected_at == case.due_at


def test_the_admin_shows_a_council_only_its_own_records():
    from django.contrib.auth.models import Permission
    from django.test import Client

    council, other = make_council(), make_council()
    case = open_case(category=make_public_category(council=council))
    record = record_of(case)

    def admin_of(place):
        user = make_staff(council=place)
        user.is_staff = True
        user.save()
        # the role groups do not cover the portal yet: grant the view permissions directly
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="portal"))
        return sign_in(Client(), user)

    outsider, insider = admin_of(other), admin_of(council)
    change = f"/admin/portal/publicrecord/{record.pk}/change/"
    assert insider.get(change).status_code == 200
    assert outsider.get(change).status_code == 404
    listing = outsider.get("/admin/portal/publicrecord/")
    assert listing.status_code == 200 and case.reference not in listing.content.decode()
