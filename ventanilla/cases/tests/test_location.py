import math

import pytest

from ventanilla.cases import services
from ventanilla.cases.models import CaseEvent, LocationSource, Role
from ventanilla.cases.tests.factories import make_case, make_category, make_council, make_staff
from ventanilla.conversations.models import DeliveryStatus, Direction, Message
from ventanilla.conversations.services import attach_messages_to_case, conversation_for
from ventanilla.inbox.tests.factories import make_channel
from ventanilla.open311.format import request_item
from ventanilla.portal.models import PublicRecord
from ventanilla.privacy.publication import public_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    council = make_council()
    return make_case(category=make_category(council=council, public_by_default=True))


def test_set_location_moves_the_case_writes_history_and_the_public_record_follows(case):
    services.set_location(
        case=case, latitude=40.416901, longitude=-3.703301, address="Calle Mayor 14, 3º B"
    )
    case.refresh_from_db()
    assert (case.latitude, case.longitude) == (40.416901, -3.703301)
    event = case.events.get(kind=CaseEvent.Kind.LOCATION)
    assert event.to_value.startswith("40.416901,-3.703301;map")
    record = PublicRecord.objects.get(case=case)
    assert (record.latitude, record.longitude) == public_point(40.416901, -3.703301)
    assert record.street == "Calle Mayor"  # no number, floor or door
    data = request_item(record, council=case.council)
    assert (data["lat"], data["long"], data["address"]) == (
        record.latitude,
        record.longitude,
        "Calle Mayor",
    )


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(math.nan, 0.0), (0.0, math.inf), (90.5, 0.0), (0.0, -180.5)],
)
def test_set_location_refuses_a_point_that_is_not_on_earth(case, latitude, longitude):
    with pytest.raises(services.CaseError):
        services.set_location(case=case, latitude=latitude, longitude=longitude)
    case.refresh_from_db()
    assert case.latitude is None and not case.events.filter(kind="location").exists()


def test_an_auditor_may_not_move_a_case(case):
    auditor = make_staff(council=case.council, role=Role.AUDITOR)
    with pytest.raises(services.NotAllowed):
        services.set_location(case=case, latitude=40.0, longitude=-3.0, by=auditor)


def test_a_location_shared_in_the_chat_becomes_the_cases_point(case):
    channel = make_channel(council=case.council, provider="whatsapp")
    conversation = conversation_for(channel=channel, urn="whatsapp:34600111222")
    shared = Message.objects.create(
        council=case.council,
        conversation=conversation,
        channel=channel,
        direction=Direction.IN,
        latitude=41.3874,
        longitude=2.1686,
        address="Plaça de Catalunya",
        status=DeliveryStatus.RECEIVED,
    )
    attach_messages_to_case(case=case, messages=[shared])
    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.address) == (41.3874, 2.1686, "Plaça de Catalunya")
    event = case.events.get(kind=CaseEvent.Kind.LOCATION)
    assert event.to_value.endswith(f";{LocationSource.CHAT}") and event.actor is None
    assert PublicRecord.objects.get(case=case).latitude is not None


def test_a_case_opened_with_a_place_says_so_in_its_history():
    council = make_council()
    case = make_case(category=make_category(council=council), latitude=40.0, longitude=-3.0)
    assert case.events.get(kind="location").to_value == "40.000000,-3.000000;report"
