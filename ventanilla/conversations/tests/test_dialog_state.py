"""The dialog's state reads what earlier releases stored, and choice ids parse, not slice."""

from __future__ import annotations

from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.state import DialogState, ReportMode, StepName

STORED = {
    "step": "report.photos",
    "step_at": "2026-03-10T09:00:00+00:00",
    "choices": [{"id": "report:continue", "label": "Continuar"}],
    "report": {
        "mode": "menu",
        "messages": [4, 5],
        "description": ["Farola apagada"],
        "photos": 1,
        "latitude": None,
        "longitude": None,
        "address": "",
        "suggested": None,
    },
    "survey": {"case": 7, "reference": "2026-000007", "score": None, "at": None},
    "handoff": {"since": "2026-03-10T09:00:00+00:00"},
    "handled": [4, 5],
    "handled_through": 5,
    "last_prompt": {"key": "report.photos", "at": "2026-03-10T09:00:00+00:00"},
}


def test_a_stored_state_reads_and_writes_back_the_same():
    state = DialogState.load(STORED)

    assert state.step is StepName.REPORT_PHOTOS
    assert state.report is not None and state.report.mode is ReportMode.MENU
    assert state.survey is not None and state.survey.case == 7
    assert state.dump() == STORED


def test_unknown_keys_are_kept_and_bad_values_read_as_defaults():
    state = DialogState.load(
        {"step": "somewhere.new", "future": {"x": 1}, "pending": ["3", "x"], "report": "?"}
    )

    assert state.step is StepName.IDLE
    assert state.pending == [3]
    assert state.report is None
    assert state.dump()["future"] == {"x": 1}
    assert DialogState.load(None).dump() == {"choices": []}


def test_choice_ids():
    assert ChoiceId.parse("cat:more:2") == ChoiceId("cat", "more", "2")
    assert ChoiceId.parse("cat:more:2").detail_number == 2
    assert ChoiceId.parse("attach:12").number == 12
    assert ChoiceId.parse("status:2026-000123").rest == "2026-000123"
    assert ChoiceId.parse("") is None
    assert str(ChoiceId("survey", "12", "4")) == "survey:12:4"
