"""SMS cost benchmark (not a test): outgoing segments of one new report over SMS.

A resident writes by SMS for the first time, "Hay una farola apagada en la calle Mayor",
accepts the privacy notice with "1", confirms the category with "1" and gets the reference;
then staff resolve the case (the resident is told and asked for a rating). Each outgoing
message is rendered exactly as the Twilio adapter sends it (text, then the choices as
numbered lines) and counted with ``channels.segments.count_segments``.

Run it with ``.venv/bin/python bench/sms_segments.py`` (a throw-away SQLite database; about
ten seconds). ``--long`` counts the full wording (what every SMS cost before the short SMS
variants), for comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--long", action="store_true", help="count the full wording instead")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-sms-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    os.environ.setdefault("PRIVACY_POLICY_URL", "https://villaverde.example.org/privacidad")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.long:
        from ventanilla.channels.adapters.twilio import TwilioAdapter

        TwilioAdapter.segmented_schemes = frozenset()  # as before the SMS variants
    run()


def run() -> None:
    from ventanilla.cases.services import change_status
    from ventanilla.cases.workflow import Status
    from ventanilla.channels.adapters.base import Choice, OutboundMessage
    from ventanilla.channels.adapters.twilio.adapter import _body
    from ventanilla.channels.segments import count_segments
    from ventanilla.conversations.tests.chat import Resident, make_channel, make_town

    town = make_town()
    resident = Resident(make_channel(town.council, "twilio"))
    resident.send("Hay una farola apagada en la calle Mayor")
    resident.send("1")  # accept the notice
    resident.send("1")  # "yes, that is it"
    reported = len(resident.outbox())
    case = resident.citizen.cases.get()
    change_status(case=case, status=Status.IN_PROGRESS)
    change_status(case=case, status=Status.RESOLVED)

    total = {"report": 0, "resolution": 0}
    print(f"{'segments':>8} {'encoding':8} {'units':>5}  message")
    for n, message in enumerate(resident.outbox()):
        choices = tuple(Choice(c["id"], c["label"]) for c in message.payload.get("choices", []))
        body = _body(OutboundMessage(urn=resident.urn, text=message.text, choices=choices))
        counted = count_segments(body)
        total["report" if n < reported else "resolution"] += counted.segments
        first_line = body.splitlines()[0][:60]
        print(f"{counted.segments:>8} {counted.encoding:8} {counted.units:>5}  {first_line}")
    print(f"one new report, up to its reference: {total['report']} segments")
    print(f"its resolution and the rating question: {total['resolution']} segments")


if __name__ == "__main__":
    main()
