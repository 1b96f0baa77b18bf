"""An appointment at a municipal office, asked for and cancelled in the chat.

"cita" / "pedir cita" / "book an appointment" → the office (when there are several) → the
free slots as buttons (and "later") → the booking, confirmed with its day, time and place; a
reminder comes the day before (``services.remind``). "anular cita" / "cancel·lar cita" /
"cancel appointment" cancels the resident's upcoming appointment (asking which when they
hold several).

``ventanilla.wiring`` adds ``APPOINTMENT`` and ``CANCEL`` to the dialog's commands.
"""

from __future__ import annotations

from django.utils import formats, timezone, translation

from ventanilla.appointments import services
from ventanilla.appointments.models import Appointment, Office, Slot
from ventanilla.channels.adapters.base import Choice
from ventanilla.conversations.bot_templates import Default
from ventanilla.conversations.dialog import commands
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.commands import Command
from ventanilla.conversations.dialog.state import CommandStep
from ventanilla.conversations.dialog.turn import Turn, join

#: slots offered at once (WhatsApp lists hold ten rows: these and "later")
SLOTS_PER_PAGE = 6
OFFICE, SLOT, WHICH = "office", "slot", "which"

D = Default
TEXTS: dict[str, Default] = {
    "appointment.ask_office": D(
        "Asks in which office the resident wants an appointment.",
        "¿En qué oficina quiere la cita?",
        "A quina oficina voleu la cita?",
        "At which office do you want the appointment?",
    ),
    "appointment.ask_slot": D(
        "Offers the free slots of an office as buttons.",
        "Citas libres en {office} ({address}). Elija una:",
        "Cites lliures a {office} ({address}). Trieu-ne una:",
        "Free appointments at {office} ({address}). Choose one:",
        ("office", "address"),
    ),
    "appointment.later": D(
        "Button: show later slots.", "Más adelante", "Més endavant", "Later dates"
    ),
    "appointment.none": D(
        "No office has a free slot.",
        "Ahora mismo no quedan citas libres. Inténtelo de nuevo otro día.",
        "Ara mateix no queden cites lliures. Torneu-ho a provar un altre dia.",
        "There are no free appointments right now. Please try again another day.",
    ),
    "appointment.taken": D(
        "The slot tapped was taken a moment before; the free ones follow.",
        "Esa hora acaba de ocuparse.",
        "Aquesta hora s'acaba d'ocupar.",
        "That time has just been taken.",
    ),
    "appointment.too_many": D(
        "The resident already holds the most upcoming appointments allowed.",
        "Ya tiene {count} citas pendientes. Para pedir otra, anule una escribiendo ANULAR CITA.",
        "Ja teniu {count} cites pendents. Per demanar-ne una altra, anul·leu-ne una escrivint "
        "ANUL·LAR CITA.",
        "You already have {count} upcoming appointments. To book another, cancel one by "
        "typing CANCEL APPOINTMENT.",
        ("count",),
    ),
    "appointment.confirmed": D(
        "The booking is confirmed, with its day, time and place.",
        "Cita confirmada: {when}, en {office} ({address}). Le enviaremos un recordatorio el "
        "día antes. Para anularla, escriba ANULAR CITA.",
        "Cita confirmada: {when}, a {office} ({address}). Us enviarem un recordatori el dia "
        "abans. Per anul·lar-la, escriviu ANUL·LAR CITA.",
        "Appointment confirmed: {when}, at {office} ({address}). We will remind you the day "
        "before. To cancel it, type CANCEL APPOINTMENT.",
        ("when", "office", "address"),
    ),
    "appointment.reminder": D(
        "The reminder sent the day before the appointment.",
        "Recordatorio: tiene cita mañana, {when}, en {office} ({address}). Si no puede ir, "
        "escriba ANULAR CITA.",
        "Recordatori: teniu cita demà, {when}, a {office} ({address}). Si no hi podeu anar, "
        "escriviu ANUL·LAR CITA.",
        "Reminder: you have an appointment tomorrow, {when}, at {office} ({address}). If you "
        "cannot go, type CANCEL APPOINTMENT.",
        ("when", "office", "address"),
    ),
    "appointment.nothing_to_cancel": D(
        "'anular cita' from a resident without upcoming appointments.",
        "No tiene ninguna cita pendiente.",
        "No teniu cap cita pendent.",
        "You have no upcoming appointments.",
    ),
    "appointment.which": D(
        "Asks which of the resident's appointments to cancel.",
        "¿Qué cita quiere anular?",
        "Quina cita voleu anul·lar?",
        "Which appointment do you want to cancel?",
    ),
    "appointment.cancelled": D(
        "The appointment is cancelled.",
        "Cita anulada: {when}, en {office}. Gracias por avisar.",
        "Cita anul·lada: {when}, a {office}. Gràcies per avisar.",
        "Appointment cancelled: {when}, at {office}. Thank you for letting us know.",
        ("when", "office"),
    ),
}


def _label(slot: Slot, language: str) -> str:
    """Return a slot's button: "mar 10/03 09:30" (buttons hold 20 characters)."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(slot.starts_at), "D d/m H:i")


# -- booking ---------------------------------------------------------------------------------


def start(turn: Turn, words: list[str]) -> bool:
    """Answer "cita", "pedir cita", "book an appointment"."""
    held = services.upcoming(turn.citizen).count()
    if held >= services.MAX_UPCOMING:
        turn.say("appointment.too_many", count=held)
        return True
    offices = services.offices_with_slots(turn.council)
    if not offices:
        turn.say("appointment.none")
    elif len(offices) == 1:
        _offer_slots(turn, offices[0], 0, "")
    else:
        _offer_offices(turn, offices, "")
    return True


def _offer_offices(turn: Turn, offices: list[Office], lead: str) -> None:
    choices = [
        ChoiceId("appt", "office", str(office.pk)).offer(office.name_in(turn.language)[:20])
        for office in offices
    ]
    turn.state.remember_prompt("appointment.ask_office")
    turn.reply(join(lead, turn.t("appointment.ask_office")), choices)
    commands.await_reply(turn, APPOINTMENT, OFFICE)


def _offer_slots(turn: Turn, office: Office, page: int, lead: str) -> None:
    first = page * SLOTS_PER_PAGE
    slots = list(services.bookable(turn.council, office=office)[first : first + SLOTS_PER_PAGE + 1])
    if not slots:
        turn.reply(join(lead, turn.t("appointment.none")))
        return
    choices: list[Choice] = [
        ChoiceId("appt", "slot", str(slot.pk)).offer(_label(slot, turn.language))
        for slot in slots[:SLOTS_PER_PAGE]
    ]
    if len(slots) > SLOTS_PER_PAGE:
        choices.append(ChoiceId("appt", "later", str(page + 1)).offer(turn.t("appointment.later")))
    text = turn.t(
        "appointment.ask_slot", office=office.name_in(turn.language), address=office.address
    )
    turn.state.remember_prompt("appointment.ask_slot")
    turn.reply(join(lead, text), choices)
    commands.await_reply(turn, APPOINTMENT, SLOT, {"office": office.pk, "page": page})


def follow(turn: Turn, waiting: CommandStep) -> bool:
    """Answer the office or slot tapped; anything else ends the request."""
    choice = turn.choice
    if choice is None or choice.kind != "appt":
        return False
    if choice.option == "office" and choice.detail_number is not None:
        office = Office.objects.filter(
            council=turn.council, active=True, pk=choice.detail_number
        ).first()
        if office is None:
            return False
        _offer_slots(turn, office, 0, "")
        return True
    office = Office.objects.filter(council=turn.council, pk=waiting.data.get("office") or 0).first()
    if office is None:
        return False
    if choice.option == "later" and choice.detail_number is not None:
        _offer_slots(turn, office, choice.detail_number, "")
        return True
    if choice.option == "slot" and choice.detail_number is not None:
        _book(turn, office, choice.detail_number)
        return True
    return False


def _book(turn: Turn, office: Office, slot_id: int) -> None:
    if not Slot.objects.filter(pk=slot_id, office=office).exists():
        _offer_slots(turn, office, 0, "")
        return
    try:
        appointment = services.book(
            slot_id=slot_id,
            citizen=turn.citizen,
            conversation=turn.conversation,
            language=turn.language,
        )
    except services.TooManyAppointments:
        turn.say("appointment.too_many", count=services.MAX_UPCOMING)
        return
    if appointment is None:
        _offer_slots(turn, office, 0, turn.t("appointment.taken"))
        return
    slot = appointment.slot
    turn.say(
        "appointment.confirmed",
        when=services.when_text(slot, turn.language),
        office=office.name_in(turn.language),
        address=office.address,
    )


def ask(turn: Turn, waiting: CommandStep, lead: str) -> None:
    """Ask the waiting question again (after "what?", a language change, ...)."""
    if waiting.step == OFFICE:
        offices = services.offices_with_slots(turn.council)
        if offices:
            _offer_offices(turn, offices, lead)
            return
    office = Office.objects.filter(council=turn.council, pk=waiting.data.get("office") or 0).first()
    if waiting.step == SLOT and office is not None:
        _offer_slots(turn, office, int(waiting.data.get("page") or 0), lead)
    elif waiting.step == WHICH:
        _ask_which(turn, list(services.upcoming(turn.citizen)), lead)
    elif lead:
        turn.reply(lead)


# -- cancelling ------------------------------------------------------------------------------


def cancel(turn: Turn, words: list[str]) -> bool:
    """Answer "anular cita": cancel the one upcoming appointment, or ask which."""
    held = list(services.upcoming(turn.citizen))
    if not held:
        turn.say("appointment.nothing_to_cancel")
    elif len(held) == 1:
        _cancel(turn, held[0])
    else:
        _ask_which(turn, held, "")
    return True


def _ask_which(turn: Turn, held: list[Appointment], lead: str) -> None:
    if not held:
        turn.say("appointment.nothing_to_cancel")
        return
    choices = [ChoiceId("apptx", str(a.pk)).offer(_label(a.slot, turn.language)) for a in held]
    turn.state.remember_prompt("appointment.which")
    turn.reply(join(lead, turn.t("appointment.which")), choices)
    commands.await_reply(turn, CANCEL, WHICH)


def cancel_follow(turn: Turn, waiting: CommandStep) -> bool:
    choice = turn.choice
    if choice is None or choice.kind != "apptx" or choice.number is None:
        return False
    appointment = services.upcoming(turn.citizen).filter(pk=choice.number).first()
    if appointment is None:
        turn.say("appointment.nothing_to_cancel")
        return True
    _cancel(turn, appointment)
    return True


def _cancel(turn: Turn, appointment: Appointment) -> None:
    services.cancel(appointment=appointment)
    turn.say(
        "appointment.cancelled",
        when=services.when_text(appointment.slot, turn.language),
        office=appointment.slot.office.name_in(turn.language),
    )


APPOINTMENT = Command(
    words=("cita", "appointment"),
    handle=start,
    texts=TEXTS,
    name="appointment",
    follow=follow,
    ask=ask,
    phrases=(
        "pedir cita",
        "pedir una cita",
        "cita previa",
        "quiero una cita",
        "necesito una cita",
        "reservar cita",
        "demanar cita",
        "demanar una cita",
        "vull una cita",
        "necessito una cita",
        "reservar una cita",
        "book an appointment",
        "make an appointment",
        "need an appointment",
        "want an appointment",
    ),
)
CANCEL = Command(
    words=(),
    handle=cancel,
    name="appointment-cancel",
    follow=cancel_follow,
    ask=ask,
    phrases=(
        "anular cita",
        "anular la cita",
        "anular mi cita",
        "cancelar cita",
        "cancelar la cita",
        "cancelar mi cita",
        "anul·lar cita",
        "anul·lar la cita",
        "anul·lar la meva cita",
        "cancel·lar cita",
        "cancel·lar la cita",
        "cancel·lar la meva cita",
        "cancel appointment",
        "cancel my appointment",
        "cancel the appointment",
    ),
)
