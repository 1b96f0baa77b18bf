"""The satisfaction survey: a score from 1 to 5 for a closed case, then an optional comment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.cases.services import record_satisfaction
from ventanilla.channels.adapters.base import Choice
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import DialogState, StepName, SurveyQuestion, age
from ventanilla.conversations.dialog.steps import Next, Outcome, Step, stale
from ventanilla.conversations.dialog.turn import Turn, citizen_case, join
from ventanilla.conversations.services import attach_messages_to_case

#: the score question is left open this long (its buttons keep working after other talk)
SCORE_TTL = dt.timedelta(days=7)
#: a question nobody answered is forgotten after this long
SURVEY_TTL = dt.timedelta(days=14)
SCORES = range(1, 6)
SKIP = ChoiceId("survey", "skip")


def score_choices(case_id: int) -> list[Choice]:
    return [ChoiceId("survey", str(case_id), str(n)).offer(str(n)) for n in SCORES]


def remember_question(state: DialogState, case: Case, *, ask_now: bool) -> None:
    """Note that the resident was asked about ``case``; ``ask_now``: it is the open question."""
    state.survey = SurveyQuestion(case=case.pk, reference=case.reference, at=timezone.now())
    if ask_now:
        state.set_step(StepName.SURVEY_SCORE)
        state.choices = score_choices(case.pk)


def forget_unanswered(state: DialogState) -> None:
    if state.survey is not None and age(state.survey.at) > SURVEY_TTL:
        state.survey = None


def answer_choice(turn: Turn) -> Outcome | None:
    """Take a tapped score (or "no, thanks"), whatever step the resident is in."""
    choice = turn.choice
    if choice == SKIP:
        _finish(turn)
        return None
    if choice is None or not choice.option.isdigit() or choice.detail_number is None:
        return stale(turn)
    case = citizen_case(turn, int(choice.option))
    score = choice.detail_number
    if case is None or score not in SCORES:
        return stale(turn)
    record_satisfaction(case=case, score=score, comment="")
    turn.state.survey = SurveyQuestion(
        case=case.pk,
        reference=case.reference,
        at=turn.state.survey.at if turn.state.survey else None,
        score=score,
    )
    turn.state.set_step(StepName.SURVEY_COMMENT)
    turn.say("survey.comment", [_no_thanks(turn)])
    return None


def _score(turn: Turn) -> Outcome | None:
    survey = turn.state.survey
    typed = turn.folded
    score = typed[:1] if typed[:1] in ("1", "2", "3", "4", "5") else ""
    if survey and score and not typed[1:2].isdigit() and len(typed) <= 12:
        turn.choice = ChoiceId("survey", str(survey.case), score)
        return answer_choice(turn)
    # Not an answer: the question stays open for its buttons; the message goes on.
    turn.state.set_step(StepName.IDLE)
    return Next.AS_IF_IDLE


def _comment(turn: Turn) -> Outcome | None:
    survey = turn.state.survey
    case = citizen_case(turn, survey.case if survey else None)
    if turn.choice or case is None or survey is None or not survey.score:
        if turn.choice:
            return stale(turn)
        _finish(turn)
        return None
    record_satisfaction(case=case, score=survey.score, comment=turn.text)
    attach_messages_to_case(case=case, messages=[turn.message.pk])
    _finish(turn)
    return None


def _finish(turn: Turn) -> None:
    turn.state.survey = None
    turn.state.set_step(StepName.IDLE)
    turn.say("survey.thanks")


def _no_thanks(turn: Turn) -> Choice:
    return SKIP.offer(turn.t("label.no_thanks"))


def _reask(turn: Turn, lead: str) -> None:
    survey = turn.state.survey
    if survey is None:
        show_menu(turn, lead=lead)
    elif turn.step is StepName.SURVEY_SCORE:
        text = turn.t("survey.question", reference=survey.reference)
        turn.reply(join(lead, text), score_choices(survey.case))
    else:
        turn.reply(join(lead, turn.t("survey.comment")), [_no_thanks(turn)])


STEPS = (
    Step(StepName.SURVEY_SCORE, _score, _reask, ttl=SCORE_TTL),
    Step(StepName.SURVEY_COMMENT, _comment, _reask),
)
