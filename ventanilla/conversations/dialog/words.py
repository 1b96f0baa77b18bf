"""The words the dialog listens for, in Spanish, Catalan and English (folded: no accents).

A message is compared with these after ``language.fold``; see ``interrupts`` for how much
filler may go with a command before the message counts as something else.
"""

from __future__ import annotations

#: words that may follow BAJA/ALTA ("baja por favor", "stop messages"); any other word makes
#: the message something else: "Baja presión de agua" and "Parar el ruido" report problems
COMMAND_FILLER = frozenset(
    {
        "por",
        "favor",
        "please",
        "si",
        "us",
        "plau",
        "sisplau",
        "gracias",
        "gracies",
        "thanks",
        "de",
        "los",
        "las",
        "els",
        "les",
        "the",
        "all",
        "todos",
        "tots",
        "todo",
        "tot",
        "avisos",
        "mensajes",
        "missatges",
        "messages",
        "notificaciones",
        "notificacions",
        "me",
        "ya",
        "ja",
        "now",
        "ahora",
        "ara",
    }
)
COMMAND_MAX_WORDS = 3

OPT_OUT = frozenset({"baja", "baixa", "stop", "aturar", "parar", "cancelar", "unsubscribe"})
OPT_IN = frozenset({"alta", "start"})
CANCEL = frozenset({"cancelar", "cancel", "cancela", "anular"})
HELP = frozenset({"ayuda", "ajuda", "help", "info", "?"})
MENU = frozenset({"menu", "inicio", "inici", "home", "menu principal"})
PERSON = frozenset(
    {
        "persona",
        "person",
        "human",
        "humano",
        "huma",
        "agente",
        "agent",
        "operador",
        "operadora",
        "operator",
        "funcionario",
        "funcionaria",
        "funcionari",
    }
)
#: words that may go with PERSON ("quiero hablar con una persona", "talk to a human please")
PERSON_FILLER = COMMAND_FILLER | frozenset(
    {
        "hablar",
        "habla",
        "hable",
        "con",
        "una",
        "un",
        "quiero",
        "querria",
        "puedo",
        "podria",
        "parlar",
        "amb",
        "vull",
        "voldria",
        "puc",
        "talk",
        "speak",
        "to",
        "with",
        "a",
        "an",
        "i",
        "want",
        "would",
        "like",
        "can",
        "real",
        "del",
        "ayuntamiento",
        "ajuntament",
        "council",
        "atencion",
        "atencio",
        "pasame",
        "passeu",
        "connect",
    }
)
STATUS_WORDS = frozenset({"estado", "estat", "status", "consulta", "consultar", "situacion"})
#: words that make a question about a case a status query ("what is the status of my report?")
STATUS_QUESTION_WORDS = frozenset({"estado", "estat", "status", "situacion", "situacio"})
#: what residents call their case, in a question about it
CASE_NOUNS = frozenset(
    {
        "incidencia",
        "incidencias",
        "caso",
        "casos",
        "cas",
        "aviso",
        "avisos",
        "avis",
        "queja",
        "queixa",
        "solicitud",
        "sollicitud",
        "peticion",
        "peticio",
        "report",
        "reports",
        "reporte",
        "case",
        "cases",
        "complaint",
        "request",
    }
)
#: a problem reported and resolved that is not fixed ("la farola sigue apagada")
STILL_BROKEN = frozenset(
    {
        "sigue",
        "siguen",
        "continua",
        "continuan",
        "todavia",
        "aun",
        "persiste",
        "segueix",
        "segueixen",
        "encara",
        "still",
        "again",
    }
)
STILL_BROKEN_PHRASES = (
    "otra vez",
    "de nuevo",
    "sin arreglar",
    "no lo han arreglado",
    "no esta arreglad",
    "un altre cop",
    "una altra vegada",
    "de nou",
    "sense arreglar",
    "not fixed",
    "not been fixed",
)
GREETING_WORDS = frozenset(
    {
        "hola",
        "buenas",
        "buenos",
        "bon",
        "bona",
        "bones",
        "dia",
        "dias",
        "tardes",
        "tarda",
        "noches",
        "nit",
        "hello",
        "hi",
        "hey",
        "good",
        "morning",
        "afternoon",
        "evening",
        "saludos",
        "salutacions",
        "ola",
        "que",
        "tal",
        "com",
        "va",
    }
)
THANKS = frozenset(
    {
        "gracias",
        "muchas gracias",
        "gracies",
        "moltes gracies",
        "merci",
        "thanks",
        "thank you",
        "thank you very much",
        "ok gracias",
        "vale gracias",
        "perfecto gracias",
    }
)
ACCEPT = frozenset(
    {"acepto", "accepto", "i accept", "accept", "si", "ok", "vale", "de acuerdo", "d'acord"}
)
DECLINE = frozenset({"no acepto", "no accepto", "no", "no gracias", "i do not accept"})
YES = frozenset(
    {"si", "yes", "vale", "ok", "correcto", "correcte", "exacto", "exacte", "eso", "aixo"}
)
NEW_WORDS = frozenset({"nuevo", "nueva", "nou", "nova", "new", "otro", "otra", "altre", "altra"})
LANGUAGE_AUTONYMS = {"es": "Español", "ca": "Català", "en": "English"}
