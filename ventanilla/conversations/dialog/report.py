"""The incident report: describe, photos, place, category, then a case with its reference."""

from __future__ import annotations

import re
from collections.abc import Sequence

import structlog

from ventanilla.cases.models import Category, CategoryQuerySet
from ventanilla.cases.services import CaseError, open_case
from ventanilla.channels.adapters.base import Choice
from ventanilla.conversations import classify
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import ReportDraft, ReportMode, StepName
from ventanilla.conversations.dialog.steps import Outcome, Step, stale
from ventanilla.conversations.dialog.turn import (
    Turn,
    follow_language,
    join,
    long_date,
    office_note,
)
from ventanilla.conversations.dialog.words import YES
from ventanilla.conversations.language import fold
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import attach_messages_to_case

log = structlog.get_logger(__name__)

CATEGORY_PAGE = 8
#: a place typed or pasted as "40.4168,-3.7038" (SMS has no location sharing; map links)
COORDINATES = re.compile(r"(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})")
CONTINUE = ChoiceId("report", "continue")
SKIP_LOCATION = ChoiceId("report", "skip_location")


def start_report(
    turn: Turn, ids: Sequence[int], *, mode: ReportMode, absorb: bool = True
) -> ReportDraft:
    """Begin a report from the messages ``ids`` and ask what it still lacks."""
    draft = turn.state.report = ReportDraft(mode=mode)
    for message in turn.messages(ids):
        if absorb:
            _absorb(draft, message)
        else:
            draft.messages.append(message.pk)
    if not draft.description:
        turn.state.set_step(StepName.REPORT_DESCRIBE)
        turn.say("report.describe_again" if absorb else "report.describe")
    elif mode is ReportMode.MENU:
        _ask_photos(turn)
    else:
        _ask_category(turn)
    return draft


def _absorb(draft: ReportDraft, message: Message, *, as_address: bool = False) -> None:
    """Add what ``message`` brings (text, photos, place) to the report being prepared."""
    if message.pk not in draft.messages:
        draft.messages.append(message.pk)
    text = (message.text or "").strip()
    if text and not message.payload.get("choice"):
        point = coordinates(text) if as_address else None
        if point is not None:
            draft.latitude, draft.longitude = point
        elif as_address:
            draft.address = text[:300]
        else:
            draft.description.append(text)
    draft.photos += len(message.attachments.all())
    if message.latitude is not None and message.longitude is not None:
        draft.latitude = message.latitude
        draft.longitude = message.longitude
        if message.address:
            draft.address = message.address[:300]


def _draft(turn: Turn) -> ReportDraft | None:
    """Return the report being prepared; without one, go back to the menu."""
    if turn.state.report is None:
        turn.state.clear_flow()
        show_menu(turn)
    return turn.state.report


def _describe(turn: Turn) -> Outcome | None:
    draft = _draft(turn)
    if draft is None:
        return None
    if turn.choice:
        return stale(turn)
    follow_language(turn)
    _absorb(draft, turn.message)
    if not draft.description:
        turn.say_once("report.describe_again")
    elif draft.mode is ReportMode.MENU:
        _ask_photos(turn)
    else:
        _ask_category(turn)
    return None


def _ask_photos(turn: Turn) -> None:
    turn.state.set_step(StepName.REPORT_PHOTOS)
    turn.say("report.photos", [_continue(turn)])


def _photos(turn: Turn) -> Outcome | None:
    draft = _draft(turn)
    if draft is None:
        return None
    message = turn.message
    if turn.choice == CONTINUE:
        draft.messages.append(message.pk)
        _after_photos(turn, draft)
    elif turn.choice:
        return stale(turn)
    elif message.latitude is not None:
        _absorb(draft, message)
        _ask_category(turn)
    elif message.attachments.all():
        _absorb(draft, message)
        turn.say_once("report.photo_received", [_continue(turn)], count=draft.photos)
    else:
        _absorb(draft, message)  # more words: the resident has moved on
        _after_photos(turn, draft)
    return None


def _after_photos(turn: Turn, draft: ReportDraft) -> None:
    if draft.latitude is not None or draft.address:
        _ask_category(turn)
        return
    turn.state.set_step(StepName.REPORT_LOCATION)
    turn.say("report.location", [_skip_location(turn)])


def _location(turn: Turn) -> Outcome | None:
    draft = _draft(turn)
    if draft is None:
        return None
    message = turn.message
    if turn.choice == SKIP_LOCATION:
        draft.messages.append(message.pk)
        _ask_category(turn)
    elif turn.choice:
        return stale(turn)
    elif message.latitude is not None:
        _absorb(draft, message)
        _ask_category(turn)
    elif message.attachments.all() and not turn.text:
        _absorb(draft, message)
        turn.say_once("report.location", [_skip_location(turn)])
    else:
        _absorb(draft, message, as_address=True)
        _ask_category(turn)
    return None


def _ask_category(turn: Turn, text: str | None = None) -> None:
    draft = turn.state.report
    turn.state.set_step(StepName.REPORT_CATEGORY)
    if draft is not None:
        draft.suggested = None
    description = text if text is not None else "\n".join(draft.description if draft else [])
    candidates = classify.suggest_categories(council=turn.council, text=description)
    other = ChoiceId("cat", "other").offer(turn.t("label.other"))
    if classify.is_clear(candidates):
        category = candidates[0].category
        if draft is not None:
            draft.suggested = category.pk
        choices = [ChoiceId("cat", str(category.pk)).offer(turn.t("label.yes")), other]
        turn.say("report.category_confirm", choices, category=category.name_in(turn.language))
    elif candidates:
        choices = [
            ChoiceId("cat", str(c.category.pk)).offer(c.category.name_in(turn.language))
            for c in candidates
        ]
        turn.say("report.category_choose", [*choices, other])
    else:
        _category_page(turn, 0)


def _category_page(turn: Turn, page: int) -> None:
    categories = sorted(
        Category.objects.of(turn.council).active(),
        key=lambda c: fold(c.name_in(turn.language)),
    )
    start = page * CATEGORY_PAGE
    if start >= len(categories):
        start, page = 0, 0
    shown = categories[start : start + CATEGORY_PAGE]
    choices = [ChoiceId("cat", str(c.pk)).offer(c.name_in(turn.language)) for c in shown]
    if start + CATEGORY_PAGE < len(categories):
        choices.append(ChoiceId("cat", "more", str(page + 1)).offer(turn.t("label.more")))
    turn.state.set_step(StepName.REPORT_CATEGORY)
    turn.say("report.category_list", choices)


def _category(turn: Turn) -> Outcome | None:
    draft = _draft(turn)
    if draft is None:
        return None
    choice = turn.choice
    if choice is not None and choice.kind == "cat":
        draft.messages.append(turn.message.pk)
        if choice == ChoiceId("cat", "other"):
            _category_page(turn, 0)
        elif choice.option == "more" and choice.detail_number is not None:
            _category_page(turn, choice.detail_number)
        elif choice.number is not None:
            category = _categories(turn).active().filter(pk=choice.number).first()
            if category is None:
                _category_page(turn, 0)
            else:
                _create_case(turn, draft, category)
        else:
            return stale(turn)
    elif choice:
        return stale(turn)
    elif turn.folded in YES and draft.suggested:
        draft.messages.append(turn.message.pk)
        category = _categories(turn).filter(pk=draft.suggested).first()
        if category is None:
            _category_page(turn, 0)
        else:
            _create_case(turn, draft, category)
    elif turn.text:
        draft.messages.append(turn.message.pk)  # a word about the type, not the problem
        _ask_category(turn, text=turn.text)
    else:
        _absorb(draft, turn.message)
        turn.say_once("report.photo_received", count=draft.photos)
    return None


def _categories(turn: Turn) -> CategoryQuerySet:
    """The council's categories, with what opening a case reads of them (not a query each)."""
    return Category.objects.of(turn.council).select_related("council", "department")


def _create_case(turn: Turn, draft: ReportDraft, category: Category) -> None:
    description = "\n".join(draft.description) or category.name_in(turn.language)
    try:
        case = open_case(
            category=category,
            description=description,
            citizen=turn.citizen,
            channel=turn.conversation.channel,
            latitude=draft.latitude,
            longitude=draft.longitude,
            address=draft.address,
        )
    except CaseError:
        log.warning("dialog_case_refused", category=category.pk)
        _category_page(turn, 0)
        return
    attach_messages_to_case(case=case, messages=[*draft.messages, turn.message.pk])
    turn.state.clear_flow()
    parts = [
        turn.t(
            "report.created",
            reference=case.reference,
            category=category.name_in(turn.language),
            department=case.department.name_in(turn.language),
            due_date=long_date(case.due_at, turn),
        )
    ]
    nothing_else = not draft.photos and draft.latitude is None
    if draft.mode is ReportMode.FREE and nothing_else and not draft.address:
        parts.append(turn.t("report.add_more"))
    parts.append(office_note(turn))
    turn.reply(join(*parts), case=case)
    log.info("dialog_case_opened", case=case.reference, conversation=turn.conversation.pk)


def coordinates(text: str) -> tuple[float, float] | None:
    """Return the place typed or pasted as "latitude,longitude" (SMS, map links), if any."""
    match = COORDINATES.search(text)
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None


def _continue(turn: Turn) -> Choice:
    return CONTINUE.offer(turn.t("label.continue"))


def _skip_location(turn: Turn) -> Choice:
    return SKIP_LOCATION.offer(turn.t("label.skip_location"))


# -- re-asking ---------------------------------------------------------------------------


def _reask_describe(turn: Turn, lead: str) -> None:
    turn.reply(join(lead, turn.t("report.describe")))


def _reask_photos(turn: Turn, lead: str) -> None:
    turn.reply(join(lead, turn.t("report.photos")), [_continue(turn)])


def _reask_location(turn: Turn, lead: str) -> None:
    turn.reply(join(lead, turn.t("report.location")), [_skip_location(turn)])


def _reask_category(turn: Turn, lead: str) -> None:
    if lead:
        turn.reply(lead)
    _ask_category(turn)


STEPS = (
    Step(StepName.REPORT_DESCRIBE, _describe, _reask_describe),
    Step(StepName.REPORT_PHOTOS, _photos, _reask_photos),
    Step(StepName.REPORT_LOCATION, _location, _reask_location),
    Step(StepName.REPORT_CATEGORY, _category, _reask_category),
)
