"""The bot's words: default texts in Spanish, Catalan and English, and how they are filled in.

Every text the bot sends is a ``BotTemplate`` row (council, key, language), editable in the
admin. The defaults below are only the starting point: a council's rows are created from them
the first time the bot or the admin needs them, and a key missing from the table falls back
to its default so that a new release never leaves the bot speechless.

Placeholders are ``{name}``; only the names listed for a key are filled in, and nothing else
in the text is interpreted (admins write plain text, not Python format strings).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ventanilla.channels.adapters import sends_segmented
from ventanilla.core import batch_reads

if TYPE_CHECKING:
    from ventanilla.conversations.models import Conversation
    from ventanilla.core.models import Council

#: the languages the bot ships texts for, Spanish first (the fallback)
LANGUAGES: tuple[str, ...] = ("es", "ca", "en")
FALLBACK_LANGUAGE = "es"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Default:
    """One bot text in every language, what it is for and the placeholders it may use."""

    purpose: str
    es: str
    ca: str
    en: str
    params: tuple[str, ...] = ()
    #: the short SMS wording (es, ca, en) when the text above costs more than 2 segments
    sms: tuple[str, str, str] | None = None

    def text(self, language: str) -> str:
        return str(getattr(self, language, "") or self.es)

    def sms_text(self, language: str) -> str:
        """Return the SMS wording in ``language``; "" when the full text is short enough."""
        if self.sms is None:
            return ""
        index = LANGUAGES.index(language) if language in LANGUAGES else 0
        return self.sms[index] or self.sms[0]


D = Default
#: key -> default texts. Choice labels are kept short: buttons hold 20 characters.
DEFAULTS: dict[str, Default] = {
    # -- first contact and privacy --------------------------------------------------------
    "greeting": D(
        "First words to a new resident, before the privacy notice.",
        "¡Hola! Le atiende {council} por mensajería. (English please · en català)",
        "Hola! Us atén {council} per missatgeria. (English please · en español)",
        "Hello! This is {council}'s messaging service. (en español · en català)",
        ("council",),
        sms=(
            "Hola, le atiende {council}.",
            "Hola, us atén {council}.",
            "Hello, this is {council}.",
        ),
    ),
    "privacy.notice": D(
        "The privacy notice owed before any personal data is processed (RGPD art. 13).",
        "Antes de empezar, sobre sus datos:\n"
        "• Responsable: {controller}.\n"
        "• Finalidad: atender sus avisos, consultas y trámites e informarle de su estado "
        "(misión de interés público).\n"
        "• Conservación: {retention_months} meses desde el cierre de cada caso.\n"
        "• Derechos: puede acceder, rectificar, suprimir, limitar u oponerse dirigiéndose a "
        "{controller}, y reclamar ante la autoridad de protección de datos.\n"
        "{policy_line}\n"
        "Si continúa escribiendo, acepta este tratamiento. Escriba BAJA en cualquier momento "
        "para no recibir mensajes automáticos.",
        "Abans de començar, sobre les vostres dades:\n"
        "• Responsable: {controller}.\n"
        "• Finalitat: atendre els vostres avisos, consultes i tràmits i informar-vos de com "
        "avancen (missió d'interès públic).\n"
        "• Conservació: {retention_months} mesos des del tancament de cada cas.\n"
        "• Drets: podeu accedir-hi, rectificar-les, suprimir-les, limitar-ne el tractament o "
        "oposar-vos-hi adreçant-vos a {controller}, i reclamar davant l'autoritat de protecció "
        "de dades.\n"
        "{policy_line}\n"
        "Si continueu escrivint, n'accepteu el tractament. Escriviu BAIXA en qualsevol moment "
        "per no rebre missatges automàtics.",
        "Before we start, about your data:\n"
        "• Controller: {controller}.\n"
        "• Purpose: handling your reports, questions and requests and keeping you informed "
        "(a task in the public interest).\n"
        "• Retention: {retention_months} months after each case is closed.\n"
        "• Your rights: you may access, rectify, erase, restrict or object by contacting "
        "{controller}, and complain to the data protection authority.\n"
        "{policy_line}\n"
        "By continuing to write you accept this processing. Write STOP at any time to receive "
        "no automatic messages.",
        ("controller", "retention_months", "policy_line", "notice_url"),
        sms=(
            "Tratamos sus datos para atender sus avisos (RGPD). Aviso completo: "
            "{notice_url}\nSi sigue escribiendo, lo acepta. BAJA: no recibir avisos.",
            "Tractem les vostres dades per atendre-us (RGPD); detalls i drets: "
            "{notice_url}\nSi continueu escrivint, ho accepteu. BAIXA: no rebre avisos.",
            "We process your data to handle your reports (GDPR). Full notice: {notice_url}\nBy "
            "writing on you accept it. STOP: no automatic messages.",
        ),
    ),
    "privacy.policy_line": D(
        "The notice's line with the link to the full privacy policy (left out without a link).",
        "• Política completa: {url}",
        "• Política completa: {url}",
        "• Full policy: {url}",
        ("url",),
    ),
    "privacy.updated": D(
        "Said before the notice when its version changed since the resident accepted it.",
        "Hemos actualizado nuestro aviso de privacidad.",
        "Hem actualitzat el nostre avís de privacitat.",
        "We have updated our privacy notice.",
    ),
    "privacy.declined": D(
        "Answer to a resident who does not accept the notice.",
        "Entendido. Sin su conformidad no podemos atenderle por este canal. Puede dirigirse a la "
        "oficina de atención ciudadana o a la sede electrónica. Si cambia de opinión, escríbanos.",
        "Entesos. Sense la vostra conformitat no us podem atendre per aquest canal. Podeu "
        "adreçar-vos a l'oficina d'atenció ciutadana o a la seu electrònica. Si canvieu "
        "d'opinió, escriviu-nos.",
        "Understood. Without your agreement we cannot help you on this channel. You can go to "
        "the citizen service office or the council's e-office. If you change your mind, write "
        "to us.",
        sms=(
            "Sin su conformidad no podemos atenderle por aquí. Puede ir a la oficina de "
            "atención ciudadana. Si cambia de opinión, escríbanos.",
            "Sense la vostra conformitat no us podem atendre per aquí. Aneu a l'oficina "
            "d'atenció ciutadana. Si canvieu d'opinió, escriviu-nos.",
            "Without your agreement we cannot help you here. Please go to the citizen service "
            "office. If you change your mind, write to us.",
        ),
    ),
    "label.accept": D("Button: accept the privacy notice.", "Acepto", "Accepto", "I accept"),
    "label.decline": D("Button: decline the privacy notice.", "No acepto", "No accepto", "No"),
    # -- menu and general -----------------------------------------------------------------
    "menu.prompt": D(
        "The main menu's question.",
        "¿En qué podemos ayudarle? Elija una opción o cuéntenos directamente qué ocurre.",
        "En què us podem ajudar? Trieu una opció o expliqueu-nos directament què passa.",
        "How can we help? Choose an option or just tell us what is happening.",
    ),
    "menu.report": D(
        "Menu button.", "Comunicar incidencia", "Comunicar incidència", "Report a problem"
    ),
    "menu.status": D("Menu button.", "Consultar un caso", "Consultar un cas", "Check a case"),
    "menu.certificate": D(
        "Menu button.", "Pedir un certificado", "Demanar certificat", "Get a certificate"
    ),
    "menu.alerts": D("Menu button.", "Recibir avisos", "Rebre avisos", "Get alerts"),
    "menu.person": D(
        "Menu button.", "Hablar con persona", "Parlar amb persona", "Talk to a person"
    ),
    "menu.language": D(
        "Menu button.", "Idioma / Language", "Idioma / Language", "Language / Idioma"
    ),
    "help": D(
        "Answer to AYUDA / HELP.",
        "Puede escribirnos lo que ocurre con sus palabras, o usar estas órdenes:\n"
        "• MENÚ: ver las opciones\n"
        "• ESTADO 2026-000123: consultar un caso\n"
        "• PERSONA: hablar con el personal del ayuntamiento\n"
        "• English please / en català: cambiar de idioma\n"
        "• BAJA: dejar de recibir mensajes automáticos (ALTA para volver)\n"
        "• CANCELAR: descartar un aviso a medias",
        "Podeu escriure'ns què passa amb les vostres paraules, o fer servir aquestes ordres:\n"
        "• MENÚ: veure les opcions\n"
        "• ESTAT 2026-000123: consultar un cas\n"
        "• PERSONA: parlar amb el personal de l'ajuntament\n"
        "• en español / English please: canviar d'idioma\n"
        "• BAIXA: deixar de rebre missatges automàtics (ALTA per tornar-hi)\n"
        "• CANCELAR: descartar un avís a mitges",
        "Just tell us what is happening in your own words, or use these commands:\n"
        "• MENU: see the options\n"
        "• STATUS 2026-000123: check a case\n"
        "• PERSON: talk to council staff\n"
        "• en español / en català: change language\n"
        "• STOP: receive no automatic messages (START to resume)\n"
        "• CANCEL: drop a report you have not finished",
        sms=(
            "Cuéntenos qué pasa o escriba: MENÚ, ESTADO 2026-000123, PERSONA, BAJA (ALTA para "
            "volver), CANCELAR, English please, en català.",
            "Expliqueu-nos què passa o escriviu: MENÚ, ESTAT 2026-000123, PERSONA, BAIXA (ALTA "
            "per tornar), CANCELAR, en español.",
            "Tell us what is happening or write: MENU, STATUS 2026-000123, PERSON, STOP (START "
            "to resume), CANCEL, en español, en català.",
        ),
    ),
    "thanks.reply": D(
        "Answer to a plain “thank you”.",
        "A usted. Escriba MENÚ si necesita algo más.",
        "A vós. Escriviu MENÚ si necessiteu res més.",
        "You're welcome. Write MENU if you need anything else.",
    ),
    "choice.stale": D(
        "A button from an earlier question was tapped.",
        "Esa opción ya no está disponible.",
        "Aquesta opció ja no està disponible.",
        "That option is no longer available.",
    ),
    "error": D(
        "Something failed while handling the message.",
        "Lo sentimos, algo ha fallado al procesar su mensaje. El personal del ayuntamiento lo "
        "revisará.",
        "Ho sentim, alguna cosa ha fallat en processar el vostre missatge. El personal de "
        "l'ajuntament ho revisarà.",
        "Sorry, something went wrong with your message. Council staff will look at it.",
    ),
    "office.closed": D(
        "Added after a new case or a request for a person outside office hours.",
        "Ahora la oficina está cerrada (abre los días laborables de {opens} a {closes}). El "
        "personal le responderá a partir del {date} a las {time}.",
        "Ara l'oficina és tancada (obre els dies feiners de {opens} a {closes}). El personal "
        "us respondrà a partir del {date} a les {time}.",
        "The office is closed now (open on working days from {opens} to {closes}). Staff will "
        "answer from {date} at {time}.",
        ("opens", "closes", "date", "time"),
        sms=(
            "Oficina cerrada; respondemos desde el {date}, {time}.",
            "Oficina tancada; responem a partir del {date}, {time}.",
            "Office closed; we answer from {date}, {time}.",
        ),
    ),
    # -- language -------------------------------------------------------------------------
    "language.choose": D(
        "Question of the language menu.",
        "Elija el idioma:",
        "Trieu l'idioma:",
        "Choose your language:",
    ),
    "language.changed": D(
        "Confirmation after switching language (in the new language).",
        "De acuerdo, a partir de ahora le escribiremos en español.",
        "D'acord, a partir d'ara us escriurem en català.",
        "OK, from now on we will write to you in English.",
    ),
    # -- incident report ------------------------------------------------------------------
    "report.describe": D(
        "Asks for the description of a problem.",
        "Cuéntenos en un mensaje qué ocurre y dónde. Si tiene fotos, puede enviarlas también.",
        "Expliqueu-nos en un missatge què passa i on. Si teniu fotos, també les podeu enviar.",
        "Tell us in one message what is happening and where. You can send photos too.",
    ),
    "report.describe_again": D(
        "Asks for a written description after a photo or a place arrived without one.",
        "Recibido. Ahora describa brevemente el problema, por favor.",
        "Rebut. Ara descriviu breument el problema, si us plau.",
        "Received. Now please describe the problem briefly.",
    ),
    "report.photos": D(
        "Offers to send photos (optional).",
        "Si tiene fotos del problema, envíelas ahora. Si no, pulse «Continuar».",
        "Si teniu fotos del problema, envieu-les ara. Si no, premeu «Continuar».",
        "If you have photos of the problem, send them now. If not, tap “Continue”.",
    ),
    "report.photo_received": D(
        "Acknowledges photos during a report.",
        "Foto recibida ({count}). Puede enviar más o pulsar «Continuar».",
        "Foto rebuda ({count}). En podeu enviar més o prémer «Continuar».",
        "Photo received ({count}). Send more or tap “Continue”.",
        ("count",),
    ),
    "report.location": D(
        "Asks where the problem is (optional).",
        "¿Dónde está? Comparta su ubicación desde el clip 📎 o escriba la dirección.",
        "On és? Compartiu la vostra ubicació des del clip 📎 o escriviu l'adreça.",
        "Where is it? Share your location with the 📎 button or type the address.",
    ),
    "report.category_confirm": D(
        "Confirms the category suggested from the description.",
        "Entendemos que se trata de: {category}. ¿Es correcto?",
        "Entenem que es tracta de: {category}. És correcte?",
        "We understand this is about: {category}. Is that right?",
        ("category",),
        sms=(
            "¿Es sobre: {category}?",
            "És sobre: {category}?",
            "Is it about: {category}?",
        ),
    ),
    "report.category_choose": D(
        "Asks to choose among suggested categories.",
        "¿De qué tipo es el problema?",
        "De quin tipus és el problema?",
        "What kind of problem is it?",
    ),
    "report.category_list": D(
        "Asks to choose from the full list of categories.",
        "Elija el tipo que mejor lo describa:",
        "Trieu el tipus que ho descrigui millor:",
        "Choose the type that fits best:",
    ),
    "report.created": D(
        "The reference number of a new case, sent at once.",
        "Su incidencia ha quedado registrada con el número {reference} ({category}). La "
        "gestiona {department}; fecha prevista de respuesta: {due_date}. Le avisaremos por aquí "
        "de cada novedad. Para consultarla, escriba ESTADO {reference}.",
        "La vostra incidència ha quedat registrada amb el número {reference} ({category}). La "
        "gestiona {department}; data prevista de resposta: {due_date}. Us avisarem per aquí de "
        "cada novetat. Per consultar-la, escriviu ESTAT {reference}.",
        "Your report has been registered with number {reference} ({category}). {department} "
        "is handling it; expected answer by {due_date}. We will keep you posted here. To check "
        "it, write STATUS {reference}.",
        ("reference", "category", "department", "due_date"),
        sms=(
            "Registrada: {reference} ({category}). Fecha prevista: {due_date}. Consulta: "
            "ESTADO {reference}",
            "Registrada: {reference} ({category}). Data prevista: {due_date}. Consulta: ESTAT "
            "{reference}",
            "Registered: {reference} ({category}). Expected by {due_date}. Check: STATUS "
            "{reference}",
        ),
    ),
    "report.add_more": D(
        "Added to a case created from free text without photo or place.",
        "Si tiene una foto o la ubicación exacta, envíela y la añadiremos a su incidencia.",
        "Si teniu una foto o la ubicació exacta, envieu-la i l'afegirem a la incidència.",
        "If you have a photo or the exact location, send it and we will add it to your report.",
        sms=(
            "Si quiere, envíe la dirección exacta.",
            "Si voleu, envieu l'adreça exacta.",
            "If you can, send the exact address.",
        ),
    ),
    "report.cancelled": D(
        "Confirms that an unfinished report was dropped.",
        "De acuerdo, hemos descartado el aviso que estaba preparando.",
        "D'acord, hem descartat l'avís que estàveu preparant.",
        "OK, we have dropped the report you were preparing.",
    ),
    "label.continue": D("Button: no (more) photos.", "Continuar", "Continuar", "Continue"),
    "label.skip_location": D(
        "Button: no location.", "Sin ubicación", "Sense ubicació", "No location"
    ),
    "label.yes": D("Button: the suggested category is right.", "Sí, es eso", "Sí, és això", "Yes"),
    "label.other": D("Button: another category.", "Otra categoría", "Una altra", "Something else"),
    "label.more": D("Button: next page of categories.", "Más opciones…", "Més opcions…", "More…"),
    # -- attach, don't duplicate ----------------------------------------------------------
    "attach.added": D(
        "A message was added to the resident's open case.",
        "Hemos añadido su mensaje a la incidencia {reference}.",
        "Hem afegit el vostre missatge a la incidència {reference}.",
        "We have added your message to case {reference}.",
        ("reference",),
    ),
    "attach.ask": D(
        "Asks whether a message belongs to the open case or is something new.",
        "¿Su mensaje es sobre la incidencia {reference} ({category}) o es algo nuevo?",
        "El vostre missatge és sobre la incidència {reference} ({category}) o és una altra cosa?",
        "Is your message about case {reference} ({category}) or something new?",
        ("reference", "category"),
    ),
    "label.attach_existing": D(
        "Button: about the open case.",
        "Sobre {reference}",
        "Sobre {reference}",
        "About {reference}",
        ("reference",),
    ),
    "label.attach_new": D(
        "Button: something new.", "Algo nuevo", "Una altra cosa", "Something new"
    ),
    # -- still not fixed after resolution ------------------------------------------------
    "reopen.ask": D(
        "Offers to reopen a resolved case the resident says is still not fixed.",
        "Su incidencia {reference} ({category}) consta como resuelta. ¿Quiere que la reabramos?",
        "La vostra incidència {reference} ({category}) consta com a resolta. Voleu que la reobrim?",
        "Your case {reference} ({category}) is marked as resolved. Shall we reopen it?",
        ("reference", "category"),
    ),
    "label.reopen": D("Button: reopen the resolved case.", "Reabrir", "Reobrir", "Reopen"),
    "label.reopen_new": D(
        "Button: the message is about something new.",
        "Es algo nuevo",
        "És una altra cosa",
        "Something new",
    ),
    "reopen.linked": D(
        "Added to the new case opened when the resolved one can no longer be reopened.",
        "La hemos relacionado con su incidencia anterior {old_reference}.",
        "L'hem relacionada amb la vostra incidència anterior {old_reference}.",
        "We have linked it to your earlier case {old_reference}.",
        ("old_reference",),
    ),
    # -- status ---------------------------------------------------------------------------
    "status.ask": D(
        "Asks for a reference number.",
        "Escriba el número del caso (por ejemplo, 2026-000123).",
        "Escriviu el número del cas (per exemple, 2026-000123).",
        "Write the case number (for example, 2026-000123).",
    ),
    "status.answer": D(
        "A case's status for its owner.",
        "Caso {reference} ({category})\nEstado: {status}\nDepartamento: {department}",
        "Cas {reference} ({category})\nEstat: {status}\nDepartament: {department}",
        "Case {reference} ({category})\nStatus: {status}\nDepartment: {department}",
        ("reference", "category", "status", "department"),
    ),
    "status.note": D(
        "Line with the last public note.",
        "Última nota: {note}",
        "Darrera nota: {note}",
        "Latest note: {note}",
        ("note",),
    ),
    "status.expected": D(
        "Line with the expected date of an open case.",
        "Fecha prevista: {date}",
        "Data prevista: {date}",
        "Expected by: {date}",
        ("date",),
    ),
    "status.not_found": D(
        "Same answer for a number that does not exist and for someone else's case.",
        "No encontramos ningún caso con el número {reference} asociado a este contacto. Revise el "
        "número o escriba MENÚ. Si lo abrió desde otro canal, escriba VINCULAR {reference}.",
        "No trobem cap cas amb el número {reference} associat a aquest contacte. Reviseu el "
        "número o escriviu MENÚ. Si el vau obrir des d'un altre canal, escriviu VINCULA "
        "{reference}.",
        "We cannot find a case numbered {reference} linked to this contact. Check the number or "
        "write MENU. If you opened it from another channel, write LINK {reference}.",
        ("reference",),
        sms=(
            "No encontramos ningún caso con el número {reference}. Si lo abrió desde otro "
            "canal, escriba VINCULAR {reference}",
            "No trobem cap cas amb el número {reference}. Si el vau obrir des d'un altre canal, "
            "escriviu VINCULA {reference}",
            "We cannot find a case numbered {reference}. If you opened it from another channel, "
            "write LINK {reference}",
        ),
    ),
    "status.bad_reference": D(
        "The text holds no reference number.",
        "No reconocemos el número. Tiene este formato: 2026-000123. Escriba MENÚ para volver.",
        "No reconeixem el número. Té aquest format: 2026-000123. Escriviu MENÚ per tornar.",
        "We do not recognise that number. It looks like 2026-000123. Write MENU to go back.",
    ),
    "status.open_list": D(
        "Answer to a bare ESTADO: the resident's open cases, to pick one.",
        "Sus casos abiertos:\n{cases}\nElija uno para ver los detalles.",
        "Els vostres casos oberts:\n{cases}\nTrieu-ne un per veure'n els detalls.",
        "Your open cases:\n{cases}\nChoose one to see the details.",
        ("cases",),
        sms=(
            "Sus casos abiertos:\n{cases}",
            "Els vostres casos oberts:\n{cases}",
            "Your open cases:\n{cases}",
        ),
    ),
    "status.list_line": D(
        "One line of the list of open cases.",
        "• {reference} ({category}): {status}",
        "• {reference} ({category}): {status}",
        "• {reference} ({category}): {status}",
        ("reference", "category", "status"),
    ),
    "status.none_open": D(
        "Answer to a bare ESTADO from a resident with no open case.",
        "No tiene ningún caso abierto. Para consultar uno ya cerrado, escriba ESTADO y su número "
        "(por ejemplo, ESTADO 2026-000123).",
        "No teniu cap cas obert. Per consultar-ne un de tancat, escriviu ESTAT i el número "
        "(per exemple, ESTAT 2026-000123).",
        "You have no open case. To check a closed one, write STATUS and its number "
        "(for example, STATUS 2026-000123).",
    ),
    "status.new": D("Status name.", "Recibida", "Rebuda", "Received"),
    "status.assigned": D("Status name.", "Asignada", "Assignada", "Assigned"),
    "status.in_progress": D("Status name.", "En curso", "En curs", "In progress"),
    "status.waiting_resident": D(
        "Status name.",
        "Pendiente de su respuesta",
        "Pendent de la vostra resposta",
        "Waiting for your answer",
    ),
    "status.resolved": D("Status name.", "Resuelta", "Resolta", "Resolved"),
    "status.closed": D("Status name.", "Cerrada", "Tancada", "Closed"),
    "status.reopened": D("Status name.", "Reabierta", "Reoberta", "Reopened"),
    "status.rejected": D("Status name.", "Desestimada", "Desestimada", "Rejected"),
    "status.duplicate": D(
        "Status name.",
        "Duplicada (ya se está tratando)",
        "Duplicada (ja s'està tractant)",
        "Duplicate (already being handled)",
    ),
    # -- updates from staff ---------------------------------------------------------------
    "update.status": D(
        "Tells the resident a case changed status.",
        "Novedades sobre su incidencia {reference}: ahora está «{status}».",
        "Novetats sobre la vostra incidència {reference}: ara està «{status}».",
        "News about your case {reference}: it is now “{status}”.",
        ("reference", "status"),
    ),
    "update.waiting_resident": D(
        "Tells the resident staff need something from them.",
        "Sobre su incidencia {reference}, necesitamos que nos responda por aquí.",
        "Sobre la vostra incidència {reference}, necessitem que ens respongueu per aquí.",
        "About your case {reference}: we need you to answer us here.",
        ("reference",),
    ),
    "update.resolved": D(
        "Tells the resident a case was resolved.",
        "Su incidencia {reference} ha quedado resuelta. Gracias por avisarnos.",
        "La vostra incidència {reference} ha quedat resolta. Gràcies per avisar-nos.",
        "Your case {reference} has been resolved. Thank you for letting us know.",
        ("reference",),
    ),
    "update.comment": D(
        "Line with the staff's comment on a change.",
        "Comentario del ayuntamiento: {comment}",
        "Comentari de l'ajuntament: {comment}",
        "Council's comment: {comment}",
        ("comment",),
    ),
    # -- satisfaction ---------------------------------------------------------------------
    "survey.question": D(
        "The satisfaction question after a resolution.",
        "¿Cómo valora la gestión de la incidencia {reference}? Elija de 1 (muy mal) a 5 "
        "(muy bien).",
        "Com valoreu la gestió de la incidència {reference}? Trieu d'1 (molt malament) a 5 "
        "(molt bé).",
        "How would you rate how case {reference} was handled? From 1 (very poor) to 5 (very good).",
        ("reference",),
    ),
    "survey.comment": D(
        "Asks for an optional comment after the score.",
        "Gracias. ¿Quiere añadir un comentario? Escríbalo ahora o pulse «No, gracias».",
        "Gràcies. Voleu afegir-hi un comentari? Escriviu-lo ara o premeu «No, gràcies».",
        "Thank you. Would you like to add a comment? Write it now or tap “No, thanks”.",
    ),
    "survey.thanks": D(
        "Thanks for the rating.",
        "Gracias por su valoración. Nos ayuda a mejorar.",
        "Gràcies per la vostra valoració. Ens ajuda a millorar.",
        "Thank you for your rating. It helps us improve.",
    ),
    "label.no_thanks": D("Button: no comment.", "No, gracias", "No, gràcies", "No, thanks"),
    # -- other menu options ---------------------------------------------------------------
    "person.waiting": D(
        "Confirms that a person will answer.",
        "De acuerdo. Una persona del ayuntamiento leerá la conversación y le responderá por aquí. "
        "Puede ir escribiendo los detalles.",
        "D'acord. Una persona de l'ajuntament llegirà la conversa i us respondrà per aquí. Podeu "
        "anar escrivint els detalls.",
        "OK. A person from the council will read this conversation and answer here. You can "
        "write the details meanwhile.",
    ),
    "certificate.soon": D(
        "Placeholder until certificates can be requested in the chat.",
        "Muy pronto podrá pedir certificados, como el de empadronamiento, por este chat. "
        "Mientras tanto, puede solicitarlo en la sede electrónica o en la oficina de atención "
        "ciudadana.",
        "Molt aviat podreu demanar certificats, com el d'empadronament, per aquest xat. "
        "Mentrestant, el podeu sol·licitar a la seu electrònica o a l'oficina d'atenció "
        "ciutadana.",
        "Soon you will be able to request certificates, such as proof of residence, in this "
        "chat. Meanwhile, you can request it at the council's e-office or the citizen service "
        "office.",
        sms=(
            "Pronto podrá pedir certificados por aquí. Ahora puede pedirlos en la sede "
            "electrónica o en la oficina de atención ciudadana.",
            "Aviat podreu demanar certificats per aquí. Ara els podeu demanar a la seu "
            "electrònica o a l'oficina d'atenció ciutadana.",
            "Soon you can request certificates here. For now, use the council's e-office or "
            "the citizen service office.",
        ),
    ),
    "alerts.soon": D(
        "Placeholder until alert subscriptions exist.",
        "Muy pronto podrá suscribirse aquí a los avisos del ayuntamiento (cortes de calles, "
        "alertas, actividades). Mientras tanto, consulte la web municipal.",
        "Molt aviat us podreu subscriure aquí als avisos de l'ajuntament (talls de carrers, "
        "alertes, activitats). Mentrestant, consulteu el web municipal.",
        "Soon you will be able to subscribe here to council alerts (road closures, warnings, "
        "events). Meanwhile, please check the council's website.",
        sms=(
            "Pronto podrá recibir aquí los avisos del ayuntamiento. Mientras tanto, consulte "
            "la web municipal.",
            "Aviat podreu rebre aquí els avisos de l'ajuntament. Mentrestant, consulteu el web "
            "municipal.",
            "Soon you can get council alerts here. Meanwhile, please check the council's website.",
        ),
    ),
    "command.soon": D(
        "Answer to a command whose feature is not available yet.",
        "Esta opción estará disponible próximamente. Escriba MENÚ para ver lo que puede hacer.",
        "Aquesta opció estarà disponible properament. Escriviu MENÚ per veure què podeu fer.",
        "This option will be available soon. Write MENU to see what you can do.",
    ),
    # -- opt-out --------------------------------------------------------------------------
    "optout.done": D(
        "Confirms an opt-out.",
        "Hecho: no le enviaremos más mensajes automáticos. Si nos escribe, le seguiremos "
        "respondiendo. Para volver a recibir avisos de sus casos, escriba ALTA.",
        "Fet: no us enviarem més missatges automàtics. Si ens escriviu, us continuarem "
        "responent. Per tornar a rebre avisos dels vostres casos, escriviu ALTA.",
        "Done: we will send you no more automatic messages. If you write to us, we will still "
        "answer. To get updates on your cases again, write START.",
        sms=(
            "Hecho: no le enviaremos más mensajes automáticos. Para volver a recibirlos, "
            "escriba ALTA.",
            "Fet: no us enviarem més missatges automàtics. Per tornar a rebre'ls, escriviu ALTA.",
            "Done: no more automatic messages. To get them again, write START.",
        ),
    ),
    "optin.done": D(
        "Confirms an opt back in.",
        "Hecho: volverá a recibir avisos sobre sus casos. Para dejarlos, escriba BAJA.",
        "Fet: tornareu a rebre avisos sobre els vostres casos. Per deixar-los, escriviu BAIXA.",
        "Done: you will get updates on your cases again. To stop them, write STOP.",
    ),
}


def add_defaults(texts: Mapping[str, Default]) -> None:
    """Add the default texts of a feature another app plugs into the chat (a command).

    They are seeded and edited like the bot's own; adding the same text twice changes
    nothing, and a key already meaning something else is refused.
    """
    for key, default in texts.items():
        if DEFAULTS.setdefault(key, default) != default:
            raise ValueError(f"the bot text {key!r} is already defined differently")


def fill(text: str, params: Mapping[str, Any]) -> str:
    """Replace the ``{name}`` placeholders found in ``params``; leave anything else alone."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def unknown_placeholders(key: str, text: str) -> set[str]:
    """Return the placeholders in ``text`` that the template ``key`` is never given."""
    default = DEFAULTS.get(key)
    allowed = set(default.params) if default else set()
    return set(PLACEHOLDER.findall(text)) - allowed


def ensure_default_templates(council: Council) -> int:
    """Create the council's missing template rows from the defaults; return how many."""
    from ventanilla.conversations.models import BotTemplate

    existing = set(BotTemplate.objects.filter(council=council).values_list("key", "language"))
    missing = [
        BotTemplate(
            council=council,
            key=key,
            language=language,
            text=default.text(language),
            sms_text=default.sms_text(language),
        )
        for key, default in DEFAULTS.items()
        for language in LANGUAGES
        if (key, language) not in existing
    ]
    if missing:
        with transaction.atomic():
            BotTemplate.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def _read_texts(council: Council, language: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return the council's texts and SMS texts in ``language``, by key."""
    from ventanilla.conversations.models import BotTemplate

    texts: dict[str, str] = {}
    sms_texts: dict[str, str] = {}
    rows = BotTemplate.objects.filter(council=council, language=language)
    for key, text, sms_text in rows.values_list("key", "text", "sms_text"):
        texts[key] = text
        sms_texts[key] = sms_text
    if len(texts) < len(DEFAULTS):
        # First use by this council, or a release added keys: make them editable. The keys
        # missing here are read from the defaults, which is what the new rows hold.
        ensure_default_templates(council)
    return texts, sms_texts


class TemplateBook:
    """The texts of one council in one language, read once per conversation turn.

    ``sms``: the resident is reached by SMS, billed per segment: each text is its short SMS
    variant where it has one.
    """

    def __init__(self, council: Council, language: str, *, sms: bool = False) -> None:
        self.council = council
        self.language = language if language in LANGUAGES else FALLBACK_LANGUAGE
        self.sms = sms
        # inside a batch's ``read_once``: read once for all turns
        language = self.language
        self._texts, self._sms_texts = batch_reads.once(
            ("bot_templates", council.pk, language), lambda: _read_texts(council, language)
        )

    @classmethod
    def for_conversation(cls, conversation: Conversation, language: str = "") -> TemplateBook:
        """Return the book for the resident of ``conversation`` (the SMS wording on SMS)."""
        return cls(
            conversation.council,
            language or conversation.citizen.language,
            sms=sends_segmented(conversation.channel.provider, conversation.urn),
        )

    def text(self, key: str, **params: Any) -> str:
        """Return the text of ``key`` in the book's language with its placeholders filled."""
        raw = ""
        if self.sms:
            raw = self._sms_texts.get(key) or DEFAULTS[key].sms_text(self.language)
        raw = raw or self._texts.get(key) or DEFAULTS[key].text(self.language)
        return fill(raw, params).strip()
