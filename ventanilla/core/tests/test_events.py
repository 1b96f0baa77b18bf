import datetime as dt

import pytest
import time_machine

from ventanilla.core.events import prune_live_events
from ventanilla.core.models import Council, LiveEvent

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def council():
    return Council.objects.create(name="Vilanova", slug="vilanova", jurisdiction_id="vilanova.cat")


def event_at(when: dt.datetime, council: Council) -> LiveEvent:
    with time_machine.travel(when, tick=False):
        return LiveEvent.objects.create(council=council, kind="case", data={})


def test_prune_deletes_only_events_older_than_the_setting(council, settings):
    settings.LIVE_EVENTS_KEEP_MINUTES = 60
    event_at(START, council)
    kept = event_at(START + dt.timedelta(minutes=30), council)
    newest = event_at(START + dt.timedelta(minutes=61), council)
    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        assert prune_live_events() == 1
    assert set(LiveEvent.objects.values_list("pk", flat=True)) == {kept.pk, newest.pk}


def test_prune_keeps_the_newest_event_however_old(council, settings):
    settings.LIVE_EVENTS_KEEP_MINUTES = 5
    event_at(START, council)
    last = event_at(START + dt.timedelta(minutes=1), council)
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert prune_live_events() == 1
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [last.pk]
