"""The dialog's memory: where the resident is and what they have told us, typed.

``DialogState`` is read from and written back to ``Conversation.state`` (a JSON object) once
per turn. The stored shape is the one the dialog has always written, so rows saved by an
earlier release keep working; a key this release does not know is kept as it was, and a
missing or malformed one reads as its default.

Stored keys:

``step``           where the resident is (``StepName``); ``idle`` when absent.
``step_at``        when that step began; an unfinished step expires after its ``Step.ttl``.
``choices``        the last choices offered (``[{"id", "label"}]``): "2" typed on SMS is the
                   second one.
``report``         the report being prepared (``ReportDraft``).
``pending``        ids of messages waiting for an answer (before the notice; in "attach.ask").
``attach_case``    the open case asked about in "attach.ask".
``reopen_case``    the finished case the resident was offered to reopen in "reopen.ask".
``survey``         a satisfaction question asked (``SurveyQuestion``).
``handoff``        ``{"since"}``: the resident asked for a person; the bot stays quiet on plain
                   text until the resident uses the menu or staff call ``release_handoff``.
``handled``        the last handled message ids; ``handled_through`` the highest one.
``last_prompt``    ``{"key", "at"}`` of the last text sent, to acknowledge a burst once.
``command``        ``{"name", "step", "data"}``: a registered command waits for the next
                   message (``CommandStep``; see ``commands.await_reply``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone

from ventanilla.channels.adapters.base import Choice

HANDLED_MEMORY = 30


class StepName(StrEnum):
    """Where a resident is in the dialog (the values are stored: never rename them)."""

    IDLE = "idle"
    NOTICE = "notice"
    DECLINED = "declined"
    REPORT_DESCRIBE = "report.describe"
    REPORT_PHOTOS = "report.photos"
    REPORT_LOCATION = "report.location"
    REPORT_CATEGORY = "report.category"
    STATUS_ASK = "status.ask"
    ATTACH_ASK = "attach.ask"
    REOPEN_ASK = "reopen.ask"
    SURVEY_SCORE = "survey.score"
    SURVEY_COMMENT = "survey.comment"
    COMMAND = "command"  # a command other apps add waits for the answer (``CommandStep``)


#: steps that are not a question being answered: they never expire and are never "cleared"
RESTING_STEPS = frozenset({StepName.IDLE, StepName.NOTICE, StepName.DECLINED})
#: steps in which the resident is answering a question that CANCELAR drops
CANCELLABLE_STEPS = frozenset(
    {
        StepName.REPORT_DESCRIBE,
        StepName.REPORT_PHOTOS,
        StepName.REPORT_LOCATION,
        StepName.REPORT_CATEGORY,
        StepName.STATUS_ASK,
        StepName.ATTACH_ASK,
        StepName.REOPEN_ASK,
        StepName.SURVEY_COMMENT,
        StepName.COMMAND,
    }
)


class ReportMode(StrEnum):
    MENU = "menu"  # chosen from the menu: ask for photos and place
    FREE = "free"  # written out of the blue: ask only what is missing


@dataclass
class ReportDraft:
    """The report being prepared, before a case exists."""

    mode: ReportMode = ReportMode.FREE
    messages: list[int] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    photos: int = 0
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    suggested: int | None = None  # the category offered for a yes

    @classmethod
    def load(cls, raw: dict[str, Any]) -> ReportDraft:
        mode = str(raw.get("mode"))
        return cls(
            mode=ReportMode(mode) if mode in ReportMode._value2member_map_ else ReportMode.FREE,
            messages=_ints(raw.get("messages")),
            description=[str(t) for t in raw.get("description") or [] if t],
            photos=_int(raw.get("photos")) or 0,
            latitude=_float(raw.get("latitude")),
            longitude=_float(raw.get("longitude")),
            address=str(raw.get("address") or ""),
            suggested=_int(raw.get("suggested")),
        )

    def dump(self) -> dict[str, Any]:
        return {
            "mode": str(self.mode),
            "messages": list(self.messages),
            "description": list(self.description),
            "photos": self.photos,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "address": self.address,
            "suggested": self.suggested,
        }


@dataclass
class SurveyQuestion:
    """A satisfaction question asked about one case, and the score once given."""

    case: int
    reference: str
    at: dt.datetime | None
    score: int | None = None

    @classmethod
    def load(cls, raw: dict[str, Any]) -> SurveyQuestion | None:
        case = _int(raw.get("case"))
        if case is None:
            return None
        return cls(
            case=case,
            reference=str(raw.get("reference") or ""),
            at=_moment(raw.get("at")),
            score=_int(raw.get("score")),
        )

    def dump(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "reference": self.reference,
            "score": self.score,
            "at": _stamp(self.at),
        }


@dataclass
class CommandStep:
    """A registered command's question waiting for its answer: which command, which of its
    own steps, and what it gathered so far (plain JSON values)."""

    name: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, raw: dict[str, Any]) -> CommandStep | None:
        name, data = raw.get("name"), raw.get("data")
        if not name:
            return None
        return cls(str(name), str(raw.get("step") or ""), data if isinstance(data, dict) else {})

    def dump(self) -> dict[str, Any]:
        return {"name": self.name, "step": self.step, "data": dict(self.data)}


@dataclass
class Prompt:
    """The last text said (its template key), to acknowledge a burst of photos once."""

    key: str
    at: dt.datetime | None


@dataclass
class DialogState:
    """One resident's place in the dialog (see the module docstring for the stored keys)."""

    step: StepName = StepName.IDLE
    step_at: dt.datetime | None = None
    choices: list[Choice] = field(default_factory=list)
    report: ReportDraft | None = None
    pending: list[int] = field(default_factory=list)
    attach_case: int | None = None
    reopen_case: int | None = None
    survey: SurveyQuestion | None = None
    handoff_since: dt.datetime | None = None
    handled: list[int] = field(default_factory=list)
    handled_through: int | None = None
    last_prompt: Prompt | None = None
    command: CommandStep | None = None
    #: keys this release does not know, kept as they were
    extra: dict[str, Any] = field(default_factory=dict)

    # -- (de)serialisation --------------------------------------------------------------

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> DialogState:
        """Return the state stored as ``raw``, tolerating missing and malformed keys."""
        raw = dict(raw or {})
        step = raw.pop("step", None)
        report = raw.pop("report", None)
        survey = raw.pop("survey", None)
        handoff = raw.pop("handoff", None)
        prompt = raw.pop("last_prompt", None)
        choices = raw.pop("choices", None) or []
        command = raw.pop("command", None)
        state = cls(
            step=StepName(step) if step in StepName._value2member_map_ else StepName.IDLE,
            step_at=_moment(raw.pop("step_at", None)),
            choices=[
                Choice(str(c["id"]), str(c.get("label", "")))
                for c in choices
                if isinstance(c, dict) and "id" in c
            ],
            report=ReportDraft.load(report) if isinstance(report, dict) else None,
            pending=_ints(raw.pop("pending", None)),
            attach_case=_int(raw.pop("attach_case", None)),
            reopen_case=_int(raw.pop("reopen_case", None)),
            survey=SurveyQuestion.load(survey) if isinstance(survey, dict) else None,
            handoff_since=(
                _moment(handoff.get("since")) or dt.datetime.min.replace(tzinfo=dt.UTC)
                if isinstance(handoff, dict)
                else None
            ),
            handled=_ints(raw.pop("handled", None)),
            handled_through=_int(raw.pop("handled_through", None)),
            last_prompt=(
                Prompt(str(prompt.get("key") or ""), _moment(prompt.get("at")))
                if isinstance(prompt, dict)
                else None
            ),
            command=CommandStep.load(command) if isinstance(command, dict) else None,
        )
        state.extra = raw
        return state

    def dump(self) -> dict[str, Any]:
        """Return the JSON object to store in ``Conversation.state``."""
        raw: dict[str, Any] = dict(self.extra)
        if self.step is not StepName.IDLE or self.step_at is not None:
            raw["step"] = str(self.step)
            raw["step_at"] = _stamp(self.step_at)
        raw["choices"] = [{"id": c.id, "label": c.label} for c in self.choices]
        if self.report is not None:
            raw["report"] = self.report.dump()
        if self.pending:
            raw["pending"] = list(self.pending)
        if self.attach_case is not None:
            raw["attach_case"] = self.attach_case
        if self.reopen_case is not None:
            raw["reopen_case"] = self.reopen_case
        if self.survey is not None:
            raw["survey"] = self.survey.dump()
        if self.handoff_since is not None:
            raw["handoff"] = {"since": _stamp(self.handoff_since)}
        if self.handled:
            raw["handled"] = list(self.handled)
        if self.handled_through is not None:
            raw["handled_through"] = self.handled_through
        if self.last_prompt is not None:
            raw["last_prompt"] = {"key": self.last_prompt.key, "at": _stamp(self.last_prompt.at)}
        if self.command is not None:
            raw["command"] = self.command.dump()
        return raw

    # -- changes ------------------------------------------------------------------------

    def set_step(self, step: StepName) -> None:
        self.step = step
        self.step_at = timezone.now()

    def clear_flow(self) -> None:
        """Drop the question being answered and what it gathered; keep the resting step."""
        self.report = None
        self.pending = []
        self.attach_case = None
        self.reopen_case = None
        self.command = None
        if self.step not in RESTING_STEPS:
            self.set_step(StepName.IDLE)

    def step_expired(self, ttl: dt.timedelta) -> bool:
        """Return whether the unfinished step began longer than ``ttl`` ago."""
        return self.step not in RESTING_STEPS and age(self.step_at) > ttl

    def remember_prompt(self, key: str) -> None:
        self.last_prompt = Prompt(key, timezone.now())

    def said_lately(self, key: str, within: dt.timedelta) -> bool:
        """Return whether ``key`` was the last thing said, less than ``within`` ago."""
        last = self.last_prompt
        return last is not None and last.key == key and age(last.at) < within

    def mark_handled(self, message_id: int) -> None:
        handled = [pk for pk in self.handled if pk != message_id]
        self.handled = [*handled, message_id][-HANDLED_MEMORY:]
        self.handled_through = max(self.handled_through or 0, message_id)


def age(moment: dt.datetime | None) -> dt.timedelta:
    """Return how long ago ``moment`` was; forever when unknown."""
    if moment is None:
        return dt.timedelta.max
    return timezone.now() - moment


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _stamp(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _ints(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [n for n in (_int(v) for v in value) if n is not None]
