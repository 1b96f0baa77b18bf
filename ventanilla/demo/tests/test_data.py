import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from ventanilla.appointments.models import Slot
from ventanilla.broadcasts.models import Topic
from ventanilla.cases.models import Case, Category, Department, Staff
from ventanilla.core.models import Council
from ventanilla.crews.models import Crew

pytestmark = pytest.mark.django_db(transaction=True)


def counts():
    models = (Council, Department, Category, Staff, Case, Topic, Crew, Slot)
    return [m.objects.count() for m in models]


def test_demo_data_loads_twice_without_failing_or_duplicating(capsys):
    call_command("demo", no_serve=True)
    first = counts()
    assert first[2] == 12 and first[4] >= 5
    # alerts, crews and appointments can be tried at once: topics, crews, free slots
    assert first[5] == 3 and first[6] == 2 and first[7] > 0
    call_command("demo", no_serve=True)
    assert counts() == first
    printed = capsys.readouterr().out
    assert "agente.urbanos" in printed and "demo-urbanos-2026" in printed
    assert authenticate(username="agente.urbanos", password="demo-urbanos-2026") is not None


def test_the_simulators_default_residents_own_no_demo_case():
    """The README's walk-through: a message from the simulator's defaults opens a new case."""
    from ventanilla.citizens.models import Identity
    from ventanilla.citizens.urns import normalise_urn
    from ventanilla.fakes.bluesky import did_of
    from ventanilla.fakes.simulator import DEFAULT_RESIDENTS, resident_key

    call_command("demo", no_serve=True)
    schemes = {"whatsapp": "whatsapp", "telegram": "telegram", "line": "line", "twilio": "tel"}
    schemes["email"] = "mailto"
    schemes |= {name: name for name in ("messenger", "instagram", "mastodon")}
    schemes["bluesky"] = "bluesky"
    for provider, resident in DEFAULT_RESIDENTS.items():
        key = resident_key(provider, resident)
        key = did_of(key) if provider == "bluesky" else key
        urn = normalise_urn(f"{schemes[provider]}:{key}")
        owners = Identity.objects.filter(urn=urn).values("citizen")
        assert not Case.objects.filter(citizen__in=owners).exists(), (provider, urn)


def test_every_queue_has_something_to_show():
    from django.contrib.auth import get_user_model

    from ventanilla.inbox.models import CannedReply
    from ventanilla.inbox.selectors import queue_cases, queues_for, scope_for

    call_command("demo", no_serve=True)
    supervisor = get_user_model().objects.get(username="supervisora")
    scope = scope_for(supervisor)
    assert scope is not None
    empty = [q.key for q in queues_for(scope) if q.key != "mine" and not queue_cases(scope, q.key)]
    assert empty == []
    assert {r.language for r in CannedReply.objects.all()} == {"es", "ca", "en"}
