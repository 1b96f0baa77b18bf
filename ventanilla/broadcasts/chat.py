"""Subscribing to alerts in the chat.

"ALTA TRÁFICO" / "ALTA TRÀNSIT" / "SUBSCRIBE TRAFFIC" subscribes this chat to the topic;
"BAJA TRÁFICO" / "BAIXA TRÀNSIT" / "UNSUBSCRIBE TRAFFIC" ends it; the menu's "Get alerts"
(or "ALTA"/"SUBSCRIBE" followed by something that is not a topic's name) lists the topics.
BAJA alone is the dialog's global opt-out, which stops every topic as well.

``ventanilla.wiring`` adds ``SUBSCRIBE`` and ``UNSUBSCRIBE`` to the dialog's commands.
"""

from __future__ import annotations

from ventanilla.broadcasts import selectors, services
from ventanilla.broadcasts.models import Source, Topic
from ventanilla.cases.references import find_references
from ventanilla.conversations.bot_templates import Default
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.commands import Command, await_reply
from ventanilla.conversations.dialog.state import CommandStep
from ventanilla.conversations.dialog.turn import Turn
from ventanilla.conversations.language import fold
from ventanilla.insights.models import District

DISTRICT_CHOICE = "alertd"

D = Default
TEXTS: dict[str, Default] = {
    "alerts.subscribed": D(
        "A resident subscribed to an alert topic in the chat (the notice kept on record).",
        "Hecho: recibirá aquí los avisos de «{topic}» del Ayuntamiento. Su número no lo verá "
        "nadie más. Para dejar de recibirlos escriba BAJA {word}; BAJA sola detiene todos los "
        "mensajes automáticos.",
        "Fet: rebreu aquí els avisos de «{topic}» de l'Ajuntament. El vostre número no el veurà "
        "ningú més. Per deixar de rebre'ls escriviu BAIXA {word}; BAIXA sola atura tots els "
        "missatges automàtics.",
        'Done: you will get the council\'s "{topic}" alerts here. Nobody else sees your '
        "number. To stop them write UNSUBSCRIBE {word}; STOP alone stops every automatic "
        "message.",
        ("topic", "word"),
        sms=(
            "Alta en avisos de «{topic}». Nadie verá su número. Para salir: BAJA {word}. "
            "BAJA sola lo detiene todo.",
            "Alta als avisos de «{topic}». Ningú veurà el vostre número. Per sortir: BAIXA "
            "{word}. BAIXA sola ho atura tot.",
            'Subscribed to "{topic}" alerts. Nobody sees your number. To leave: UNSUBSCRIBE '
            "{word}. STOP stops everything.",
        ),
    ),
    "alerts.unsubscribed": D(
        "A resident left an alert topic in the chat.",
        "Hecho: ya no recibirá los avisos de «{topic}».",
        "Fet: ja no rebreu els avisos de «{topic}».",
        'Done: you will no longer get the "{topic}" alerts.',
        ("topic",),
    ),
    "alerts.topics": D(
        "The menu's alerts option: the topics a resident may subscribe to.",
        "Puede recibir avisos de: {topics}. Escriba ALTA y el tema (por ejemplo, ALTA "
        "{example}) y BAJA y el tema para dejarlo.",
        "Podeu rebre avisos de: {topics}. Escriviu ALTA i el tema (per exemple, ALTA {example}) "
        "i BAIXA i el tema per deixar-ho.",
        "You can get alerts about: {topics}. Write SUBSCRIBE and the topic (for example, "
        "SUBSCRIBE {example}) and UNSUBSCRIBE and the topic to leave.",
        ("topics", "example"),
    ),
    "alerts.welcome": D(
        "Welcome to a subscriber imported from a council's earlier list (SMS or WhatsApp).",
        "{council}: ahora recibirá por aquí los avisos de «{topic}». Para dejar de recibirlos, "
        "responda BAJA {word}.",
        "{council}: ara rebreu per aquí els avisos de «{topic}». Per deixar de rebre'ls, "
        "responeu BAIXA {word}.",
        '{council}: you will now get the "{topic}" alerts here. To stop them, reply '
        "UNSUBSCRIBE {word}.",
        ("council", "topic", "word"),
    ),
    "alerts.portal_code": D(
        "The one-time code asked on the portal's alerts page, sent to the number given.",
        "{council}: su código de avisos es {code}. Caduca en 10 min. Si no lo ha pedido, ignórelo.",
        "{council}: el vostre codi d'avisos és {code}. Caduca en 10 min. Si no l'heu demanat, "
        "ignoreu-lo.",
        "{council}: your alerts code is {code}. It expires in 10 min. If you did not ask for "
        "it, ignore it.",
        ("council", "code"),
    ),
    "alerts.district_ask": D(
        "ALTA of a topic sent only to some districts: the resident picks theirs.",
        "Los avisos de «{topic}» son por barrios. ¿De cuál quiere recibirlos?",
        "Els avisos de «{topic}» són per barris. De quin els voleu rebre?",
        'The "{topic}" alerts are sent by district. Which one do you want them for?',
        ("topic",),
    ),
    "alerts.relay_received": D(
        "A resident sent AVISO …: it waits for an operator before anyone sees it.",
        "Gracias. Un operador del Ayuntamiento revisará su aviso antes de difundirlo a los "
        "vecinos; nunca se mostrará su número ni su nombre. Le diremos qué se decide.",
        "Gràcies. Un operador de l'Ajuntament revisarà el vostre avís abans de difondre'l als "
        "veïns; mai no es mostrarà el vostre número ni el vostre nom. Us direm què es decideix.",
        "Thank you. A council operator will check your alert before it is passed on to "
        "neighbours; your number and name are never shown. We will tell you the outcome.",
        sms=(
            "Gracias. Un operador revisará su aviso antes de difundirlo; nunca se mostrará su "
            "número ni su nombre.",
            "Gràcies. Un operador revisarà l'avís abans de difondre'l; mai no es mostrarà el "
            "vostre número ni nom.",
            "Thank you. An operator will check your alert before passing it on; your number "
            "and name are never shown.",
        ),
    ),
    "alerts.relay_how": D(
        "AVISO with nothing after it.",
        "Escriba AVISO seguido de lo que pasa (por ejemplo: AVISO árbol caído en la calle "
        "Mayor). Puede añadir una foto y su ubicación.",
        "Escriviu AVÍS seguit del que passa (per exemple: AVÍS arbre caigut al carrer Major). "
        "Podeu afegir-hi una foto i la ubicació.",
        "Write ALERT followed by what is happening (for example: ALERT fallen tree on Main "
        "Street). You can add a photo and your location.",
    ),
    "alerts.relay_relayed": D(
        "The resident's alert was relayed to the neighbours.",
        "Su aviso se ha difundido a los vecinos suscritos. Gracias por avisar.",
        "El vostre avís s'ha difós als veïns subscrits. Gràcies per avisar.",
        "Your alert has been passed on to the subscribed neighbours. Thank you.",
    ),
    "alerts.relay_rejected": D(
        "The resident's alert was not relayed.",
        "Hemos revisado su aviso y no lo difundiremos. Si es un problema que hay que arreglar, "
        "escríbanos para abrir una incidencia.",
        "Hem revisat el vostre avís i no el difondrem. Si és un problema per arreglar, "
        "escriviu-nos per obrir una incidència.",
        "We checked your alert and will not pass it on. If something needs fixing, write to "
        "us to report it.",
    ),
}


def subscribe(turn: Turn, words: list[str]) -> bool:
    """Answer "ALTA <topic>" (subscribe) and the menu's alerts option (list the topics).

    A topic sent only to some districts asks which one first (``follow``).
    """
    topic = selectors.topic_named(turn.council, words[1:])
    if topic is None:
        if len(words) > 1:
            return False  # "alta ..." that names no topic: let the dialog go on
        return show_topics(turn)
    source = Source.MENU if not words else Source.CHAT
    districts = list(topic.districts.order_by("name"))
    if districts:
        _ask_district(turn, topic, districts, source)
        return True
    _subscribe(turn, topic, source, None)
    return True


def _subscribe(turn: Turn, topic: Topic, source: str, district: District | None) -> None:
    word = topic.name(turn.language).upper()
    notice = turn.t("alerts.subscribed", topic=topic.name(turn.language), word=word)
    services.subscribe(
        topic=topic,
        conversation=turn.conversation,
        source=source,
        notice=notice,
        district=district,
    )
    turn.reply(notice)


def _ask_district(turn: Turn, topic: Topic, districts: list[District], source: str) -> None:
    choices = [ChoiceId(DISTRICT_CHOICE, str(d.pk)).offer(d.name[:20]) for d in districts]
    turn.reply(turn.t("alerts.district_ask", topic=topic.name(turn.language)), choices)
    await_reply(turn, SUBSCRIBE, "district", {"topic": topic.pk, "source": source})


def follow(turn: Turn, waiting: CommandStep) -> bool:
    """Take the district tapped (or its name written); anything else goes on as usual."""
    topic = Topic.objects.filter(council=turn.council, pk=waiting.data.get("topic") or 0).first()
    if topic is None:
        return False
    districts = topic.districts.all()
    choice = turn.choice
    if choice is not None and choice.kind == DISTRICT_CHOICE and choice.number is not None:
        district = districts.filter(pk=choice.number).first()
    else:
        said = " ".join(fold(w) for w in turn.words)
        district = next((d for d in districts if fold(d.name) == said), None)
    if district is None:
        return False
    _subscribe(turn, topic, str(waiting.data.get("source") or Source.CHAT), district)
    return True


def unsubscribe(turn: Turn, words: list[str]) -> bool:
    """Answer "BAJA <topic>"; anything else starting with BAJA goes on through the dialog."""
    topic = selectors.topic_named(turn.council, words[1:])
    if topic is None:
        return False
    services.unsubscribe(topic=topic, conversation=turn.conversation)
    turn.say("alerts.unsubscribed", topic=topic.name(turn.language))
    return True


def show_topics(turn: Turn) -> bool:
    topics = selectors.topics_of(turn.council)
    if not topics:
        turn.say("alerts.soon")  # the dialog's own "coming soon"
        return True
    names = [t.name(turn.language) for t in topics]
    turn.say("alerts.topics", topics=", ".join(names), example=names[0].upper())
    return True


def relay(turn: Turn, words: list[str]) -> bool:
    """Answer "AVISO …": the text (photo, location) goes to the moderation queue.

    "aviso 2026-000123" is about a case (residents call cases "avisos"): left to the dialog.
    """
    if find_references(turn.text):
        return False
    text = turn.text.split(None, 1)[1] if len(turn.text.split(None, 1)) > 1 else ""
    message = turn.message
    photos = message.attachments.count()
    if not text.strip() and not photos:
        turn.say("alerts.relay_how")
        return True
    services.submit_alert(
        conversation=turn.conversation,
        message=message,
        text=text,
        latitude=message.latitude,
        longitude=message.longitude,
        photos=photos,
    )
    turn.say("alerts.relay_received")
    return True


RELAY = Command(words=("aviso", "avis", "alert"), handle=relay, texts={})
SUBSCRIBE = Command(
    words=("alta", "subscribe", "suscribir", "suscribirme", "subscriure"),
    handle=subscribe,
    texts=TEXTS,
    menu="alerts",
    name="alerts-subscribe",
    follow=follow,
)
UNSUBSCRIBE = Command(
    words=("baja", "baixa", "unsubscribe", "desuscribir"), handle=unsubscribe, texts={}
)
