"""Remove a resident's personal data from free text before anything is published.

Everything the public portal and Open311 show of a case goes through :func:`redact`,
so the rules below err on the side of removing too much: a lost house number costs a
reader little, a leaked phone number costs a resident a lot.

Placeholders (one fixed set, in Spanish, see :class:`Placeholder`):

==================  ===========================================================================
``[DNI]``           DNI, NIE, NIF K/L/M and CIF (valid or not), social security numbers, and
                    any number labelled as an identity, social security or health card
                    number ("dni 1234567", "pasaporte PAA123456", "NUSS 281234567890")
``[teléfono]``      phone numbers, Spanish and international, and numbers labelled as phones
``[correo]``        e-mail addresses
``[IBAN]``          IBANs of any country, valid or not, and 20-digit Spanish accounts (CCC)
``[tarjeta]``       payment card numbers
``[matrícula]``     car plates, current ("1234 BCD") and old provincial ("M-1234-AB")
``[nombre]``        people's names: the resident's own, self-introductions, and anyone named
                    after a title or relation ("mi vecino Juan", "la senyora Puig", "my
                    landlord, Mr Smith") or recognised as a given name or surnames
                    (:mod:`ventanilla.privacy.names`)
``[nº]``            the number, floor and door of an address; the street name is kept because
                    it is where the public issue is
``[perfil]``        social-media handles ("@usuario") and profile addresses
                    ("instagram.com/usuario": the site is kept, the profile removed)
==================  ===========================================================================

Street names, places named after people or saints ("calle Doctor Fleming", "plaza de
San Juan"), brands, and the words the caller asks to keep (department and category
names) are kept.

Kept on purpose: case reference numbers (``2026-000123``), dates, times, amounts, years,
counts, and postcodes. A five-digit postcode covers thousands of residents, so on its own
it is not personal data; the street number that would make it so is removed.

Known gaps are listed in the docstring of :func:`redact`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from stdnum import iban, luhn
from stdnum.es import cif, dni, nie, nif

from ventanilla.privacy.names import DoubtReason, MarkKind, find_names

__all__ = [
    "Doubt",
    "DoubtReason",
    "Placeholder",
    "Redaction",
    "propose_summary",
    "redact",
    "redact_with_doubts",
]


class Placeholder(StrEnum):
    """The text that stands in for each kind of personal data."""

    DOCUMENT = "[DNI]"
    PHONE = "[teléfono]"
    EMAIL = "[correo]"
    BANK_ACCOUNT = "[IBAN]"
    CARD = "[tarjeta]"
    PLATE = "[matrícula]"
    NAME = "[nombre]"
    NUMBER = "[nº]"
    PROFILE = "[perfil]"


ELLIPSIS = "…"

# Each pass must converge; a handful of passes is plenty because every pass only turns
# personal data into placeholders, which later passes never touch.
_MAX_PASSES = 8

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p.value) for p in Placeholder))
_REPEATED_PLACEHOLDER_RE = re.compile(
    r"(" + _PLACEHOLDER_RE.pattern + r")(?:[^\S\n]+\1)+",
)

# --- Normalisation ---------------------------------------------------------------------

# Invisible characters that chat apps and copy-paste put inside numbers (WhatsApp wraps
# pasted phone numbers in bidi embeddings); left in, they would split a number in two.
_INVISIBLE = (
    "\u00ad\u200b\u200c\u200e\u200f"  # soft hyphen, zero-width space/non-joiner, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069\ufeff"  # bidi isolates, byte order mark
)

# Private-use characters mark the spans a pass must not touch (see _Masks). Residents'
# text may not contain them, so they are removed from the input first.
_MASK_FIRST = 0xE000
_MASK_LAST = 0xF8FF
_MASK_RE = re.compile("[\ue000-\uf8ff]")
_CLEAN_TABLE = {ord(c): None for c in _INVISIBLE} | {
    code: None for code in range(_MASK_FIRST, _MASK_LAST + 1)
}


def _normalise(text: str) -> str:
    """Return text in NFC, without invisible marks, with every decimal digit in ASCII."""
    text = unicodedata.normalize("NFC", text).translate(_CLEAN_TABLE)
    if text.isascii():
        return text
    # Arabic-Indic or full-width digits are still a phone number; the patterns below
    # only look for ASCII digits.
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


def _fold(word: str) -> str:
    """Return word lower-cased and without accents, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Masks:
    """Hide spans of text behind one private-use character each, and bring them back."""

    def __init__(self) -> None:
        self.originals: list[str] = []

    def hide(self, pattern: re.Pattern[str], text: str) -> str:
        """Return text with every match of pattern replaced by a mask character."""

        def swap(match: re.Match[str]) -> str:
            if len(self.originals) > _MASK_LAST - _MASK_FIRST:
                return match.group()
            self.originals.append(match.group())
            return chr(_MASK_FIRST + len(self.originals) - 1)

        return pattern.sub(swap, text)

    def reveal(self, text: str) -> str:
        """Return text with every mask character replaced by what it hid."""
        return _MASK_RE.sub(lambda m: self.originals[ord(m.group()) - _MASK_FIRST], text)


# Case reference numbers, dates and times are public and look like pieces of phone or
# account numbers, so they are hidden from the looser rules. The look-arounds stop a
# date pattern from matching inside a longer run such as "600-11-12-22".
_PUBLIC_NUMBER_RE = re.compile(
    r"(?<![0-9+])(?<![0-9][-./:])"
    r"(?:"
    # Case reference, YYYY-NNNNNN. Not with a space: "2019 600111 222" is a year and a phone.
    r"(?:19|20)[0-9]{2}[-/]?[0-9]{6}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ISO date
    r"|[0-9]{1,2}[-./][0-9]{1,2}[-./](?:[0-9]{4}|[0-9]{2})"  # 12/03/2026, 1.3.26
    r"|[0-9]{1,2}[:.h][0-9]{2}"  # 22:30, 9.15, 22h30
    r")"
    r"(?![-./:]?[0-9])"
)

# --- E-mail, bank accounts, cards ------------------------------------------------------

_SPELT_AT = r"(?:\s?[(\[{<]\s?(?i:at|arroba)\s?[)\]}>]\s?|\s?(?i:arroba)\s?)"
_WORD_DOT = r"(?:\s?[(\[{<]\s?(?i:dot|punto|punt)\s?[)\]}>]\s?|\s(?i:dot)\s)"
_TOP_LEVEL_DOMAIN = (
    r"(?i:com|es|net|org|cat|eus|gal|eu|info|co|uk|fr|de|it|pt|pl|ro|ma|io|me|edu|gov)"
    r"(?![^\W\d_])"
)
_SPELT_DOT = r"(?:\s?[(\[{<]\s?(?i:dot|punto|punt)\s?[)\]}>]\s?|\s(?i:dot|punto|punt)\s|\.)"
_EMAIL_RE = re.compile(
    # The look-behind keeps the scan linear on long runs of letters.
    r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    # Spelt out to dodge spam filters: "pepe arroba gmail punto com",
    # "nombre.soler(at)example(dot)com", "ana [at] gmail [dot] co [dot] uk"; a plain
    # English " at " only with a spelt " dot " ("ana at gmail dot com", not "me at x.com").
    rf"|(?<![\w.+\-])[\w.+\-]+{_SPELT_AT}[\w\-]+(?:{_SPELT_DOT}[\w\-]+)*{_SPELT_DOT}"
    rf"{_TOP_LEVEL_DOMAIN}"
    rf"|(?<![\w.+\-])[\w.+\-]+\s(?i:at)\s[\w\-]+(?:{_WORD_DOT}[\w\-]+)*{_WORD_DOT}"
    rf"{_TOP_LEVEL_DOMAIN}"
)

# Profile addresses: the site is kept, the profile removed ("instagram.com/[perfil]").
_PROFILE_URL_RE = re.compile(
    r"(?i:(?:https?://)?(?:www\.|m\.|mobile\.)?"
    r"(?:instagram\.com|facebook\.com|fb\.com|fb\.me|twitter\.com|x\.com|tiktok\.com"
    r"|linkedin\.com/in|youtube\.com|youtu\.be|t\.me|telegram\.me|wa\.me|threads\.net"
    r"|snapchat\.com/add|pinterest\.com|twitch\.tv|vk\.com|bsky\.app/profile"
    r"|onlyfans\.com|flickr\.com/photos)/)"
    r"(?P<profile>@?[\w.\-]*[\w\-](?:/[\w.\-]+)*/?)"
)
# Handles: "@usuario", "@laia.verda". Not an e-mail: nothing glued before the @.
_HANDLE_RE = re.compile(r"(?<![\w.@/+\-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")

_IBAN_CANDIDATE_RE = re.compile(
    r"(?:(?<![0-9A-Za-z])|(?<=(?i:iban)))[A-Za-z]{2}[0-9]{2}(?:[ \-.]?[0-9A-Za-z]){11,30}"
)
_IBAN_GROUP_SPLIT_RE = re.compile(r"[ \-.]")

# Twenty digits however grouped: a Spanish account number (CCC) written without "ES".
_CCC_RE = re.compile(r"(?<![0-9])[0-9](?:[ \-.]?[0-9]){19}(?![0-9])")
# Cards never start with 0; 4-4-4-4(-3) or glued, and Amex 4-6-5.
_CARD_RE = re.compile(
    r"(?<![0-9+])(?:"
    r"[1-9][0-9]{3}(?:[ \-]?[0-9]{4}){2}[ \-]?[0-9]{1,7}"
    r"|[1-9][0-9]{3}[ \-]?[0-9]{6}[ \-]?[0-9]{5}"
    r")(?![0-9])"
)

# --- Identity documents ----------------------------------------------------------------

# Seven or eight digits, optionally grouped "12.345.678", then a letter. A typo'd DNI is
# still personal data, so the checksum only decides the ambiguous spaced lower-case form.
_DNI_RE = re.compile(
    r"(?<![0-9])(?P<digits>[0-9]{1,2}(?:[. ]?[0-9]{3}){2})"
    r"(?P<sep>[\s.\-]?)(?P<letter>[A-Za-z])(?![^\W\d_])"
)
_NIE_RE = re.compile(
    r"(?:(?<![^\W\d_])|(?<=(?i:nie)))(?P<prefix>[XYZxyz])(?P<gap>[\s.\-]?)"
    r"(?P<digits>[0-9](?:[. ]?[0-9]{3}){2})(?![0-9])"
    r"(?:(?P<sep>[\s.\-]?)(?P<letter>[A-Za-z])(?![^\W\d_]))?"
)
# NIF for people without a DNI (K, L, M) and CIF for legal entities.
_NIF_RE = re.compile(
    r"(?<![^\W\d_])(?P<prefix>[ABCDEFGHJKLMNPQRSUVWklm])[\s.\-]?(?P<digits>[0-9]{7})"
    r"[\s.\-]?(?P<control>[0-9A-Za-z])(?![^\W_])"
)

_DOCUMENT_LABEL = (
    r"(?i:d\.?\s?n\.?\s?i|n\.?\s?i\.?\s?e|n\.?\s?i\.?\s?f|c\.?\s?i\.?\s?f"
    r"|pasaporte|passaport|passport|documento(?:\s+de\s+identidad)?|document(?:\s+d['’]identitat)?"
    r"|tarjeta\s+de\s+residencia|targeta\s+de\s+resid[eè]ncia|identity\s+card|id\s+card"
    # Social security (NAF/NUSS) and health card (CIP/TSI) numbers identify a person too.
    r"|seguridad\s+social|seguretat\s+social|social\s+security|n\.?a\.?f|nuss"
    r"|tarjeta\s+sanitaria|targeta\s+sanit[aà]ria|cip|tsi)\.?"
)
# Whatever follows "dni", "pasaporte", ... and holds at least five digits is an identity
# number, whatever its shape. The bridge never crosses a mask (private-use characters).
_BRIDGE = r"[^\w\n+(\ue000-\uf8ff]"
_LABELLED_DOCUMENT_RE = re.compile(
    rf"(?<![^\W\d_]){_DOCUMENT_LABEL}(?![^\W\d_]){_BRIDGE}{{0,4}}"
    rf"(?:(?i:es|és|is|number|n[º°]|num|núm|número|numero|nr|no)\.?{_BRIDGE}{{1,4}}){{0,2}}"
    r"(?P<number>[A-Za-z]{0,4}[\s.\-]?[0-9](?:[\s.\-/]?[0-9]){3,}(?:-?[A-Za-z]|\s[A-Z])?)"
    r"(?![^\W_])"
)

# Eight digits on their own, "12345678" or "12.345.678": a DNI without its letter (or a
# phone with a digit missing). Not an amount: "12.345.678 €".
_BARE_DNI_RE = re.compile(
    r"(?<![0-9.,])(?:[0-9]{8}|[0-9]{2}\.[0-9]{3}\.[0-9]{3})(?![0-9]|[.,][0-9])"
    r"(?!\s?(?:€|%|(?i:euros?|eur|pts|pesetas|habitantes|habitants|personas|persones)"
    r"(?![^\W\d_])))"
)

# Social security number (NAF): province, eight digits, check digits, "28/12345678/90".
_SOCIAL_SECURITY_RE = re.compile(r"(?<![0-9/])[0-9]{2}/[0-9]{7,8}/[0-9]{2}(?![0-9/])")

# --- Car plates --------------------------------------------------------------------------

# Plates since 2000: four digits and three consonants (no vowels, no Ñ, no Q).
# Three capitals after four digits are a plate even with a vowel ("1234 ABC": a foreign
# or misread plate is still a plate); in lower case only consonants. Mopeds carry a "C"
# before the digits ("C 1234 BCD").
_PLATE_RE = re.compile(
    r"(?:(?<![^\W\d_])C[ \-]?)?(?<![0-9])[0-9]{4}[ \-]?"
    r"(?P<letters>[A-Z]{3}|[BCDFGHJKLMNPRSTVWXYZbcdfghjklmnprstvwxyz]{3})"
    r"(?![^\W_])"
)
# Three consonants after four digits that are units, not plates ("1500 pts").
_PLATE_LOOKALIKES = frozenset(
    {"pts", "mts", "kms", "cms", "mms", "grs", "kgs", "hrs", "rpm", "bps", "kwh", "mwh", "gwh"}
)
# Provincial plates (1971-2000): province code, four digits, one or two letters.
_OLD_PLATE_RE = re.compile(
    r"(?<![^\W\d_])(?P<province>[A-Za-z]{1,2})(?P<sep1>[ \-]?)[0-9]{4}"
    r"(?P<sep2>[ \-]?)(?P<suffix>[A-Za-z]{1,2})(?![^\W_])"
)
_PROVINCE_CODES = frozenset(
    "A AB AL AV B BA BI BU C CA CC CE CO CR CS CU GC GE GI GR GU H HU IB J L LE LO LU M MA"
    " ML MU NA O OR OU P PM PO S SA SE SG SO SS T TE TF TO V VA VI Z ZA".split()
)

# --- Phones ------------------------------------------------------------------------------

# Spanish numbers: nine digits from 6, 7, 8 or 9, grouped however the resident likes,
# with or without +34/0034. phonenumbers below catches the rest.
_SPANISH_PHONE_RE = re.compile(
    r"(?<![0-9+])(?:(?:\(?(?:\+|00)\s?34\)?|34)[\s.\-]?)?[6789](?:[\s._\-]?[0-9]){8}(?![0-9])"
)
_PHONE_LABEL = (
    r"(?i:tel[eé]fono|tel[eè]fon|tel[eé]f|tfno|tlfno|tlf|telf|tel|m[oó]vil|m[oò]bil|mobil"
    r"|celular|whats?app|wh?asap|wassap|guasap|phone|mobile|cell|ll[aá]m[ae]me|llamadme"
    r"|truca['’]?m|truqueu-?me|call\s+me|contacto|contacte|contact)"
)
# A number after "tlf", "móvil", ... with six or more digits is a phone even when it is
# not a valid one (a digit missing, a foreign number without its prefix).
_LABELLED_PHONE_RE = re.compile(
    rf"(?<![^\W\d_]){_PHONE_LABEL}(?![^\W\d_]){_BRIDGE}{{0,4}}"
    rf"(?:(?i:es|és|is|al|a|on|at|el|de|mi|my|n[º°]|num|número|numero|number)\.?{_BRIDGE}{{1,4}}){{0,3}}"
    r"(?P<number>\(?\+?[0-9](?:[\s.\-()]?[0-9]){5,14})(?![0-9])"
)

# --- Addresses ---------------------------------------------------------------------------

# Spanish and Catalan street types, with the abbreviations residents actually type.
_STREET_TYPE = (
    r"(?i:calle|c\s?/|cl\.?|c\.|carrer|cr\.|avenida|avda\.?|avd\.?|av\.?|avgda\.?|avinguda"
    r"|plaza|pza\.?|plz\.?|pl\.?|plaça|placa|pça\.?|paseo|p[º°]\.?|p\.[º°]|pso\.?|passeig|pg\.?"
    r"|ronda|rda\.|camino|cmno\.|camí|cami|travesía|travesia|travessera|travessia|trav\.|trv\."
    r"|carretera|ctra\.?|crta\.|rambla|rbla\.|glorieta|callejón|callejon|pasaje|passatge|ptge\."
    r"|urbanización|urbanizacion|urb\.|bulevar|boulevard|alameda|gran\s+vía|gran\s+via|vía|via)"
    # A type that ends in a letter must end the word; "c/" and "av." may be glued.
    r"(?:(?<=[./º°])|(?![^\W\d_]))"
)
# Words that end a street name: a street number comes right after the name, so these
# stop "calle Mayor desde hace 3 días" from taking the 3 as a house number.
_STREET_STOPWORDS = (
    r"(?i:hay|desde|hace|que|y|e|i|o|u|con|sin|por|para|porque|pero|cerca|frente|junto"
    r"|delante|detr[aá]s|esquina|entre|hasta|donde|cuando|como|est[aá]n?|es|son|fue|lleva"
    r"|llevan|tiene|tienen|no|ni|ya|muy|m[aá]s|tambi[eé]n|hi|ha|fa|des|amb|sense|per"
    r"|perqu[eè]|fins|al|a|en|at|on|in|since|for|is|are|there|and|near|opposite|from|to"
    r"|altura|unos|unas|sobre|durante|todos|todas|cada|casi|solo|sólo|aprox)(?![^\W\d_])"
)
# "nº", "núm." introduce the number; they are not part of the street name.
_NUMBER_MARKER = r"(?i:n[º°o]|n\.\s?[º°o]|núm|num|número|numero|nro|n)\.?"
_STREET_WORD = (
    rf"(?!{_STREET_STOPWORDS})(?!{_NUMBER_MARKER}(?![^\W\d_]))"
    r"(?:[^\W\d_]+(?:['’·\-][^\W\d_]+)*\.?"
    # Numbered names such as "Plaza 2 de Mayo" or "Carrer 25 de Setembre".
    r"|[0-9]{1,2}[º°ª]?(?=\s+d(?:e\b|['’])))"
)
_UNITS = (
    r"(?:€|%|(?i:euros?|eur|h|hrs?|horas?|hores|min|minutos?|d[ií]as|dies|semanas?|setmanes"
    r"|mes(?:es)?|mesos|años?|anys?|metros?|m|km|cm|personas?|persones|veces|vegades|coches"
    r"|cotxes|vecinos|ve[iï]ns|contenedores|farolas|meters|days|weeks|months|years|times"
    r"|de\s+(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre"
    r"|octubre|noviembre|diciembre|gener|febrer|març|maig|juny|juliol|setembre|octubre"
    r"|novembre|desembre))(?![^\W\d_]))"
)
_ORDINAL = (
    r"[0-9]{1,2}(?:\s?[º°ª]|(?:o|a|r|n|t|er|e|è|st|nd|rd|th)(?![^\W\d_]))"
    r"(?:\s(?i:floor|piso|planta|pis)(?![^\W\d_]))?"
)
_DOOR_LETTER = r"(?:\s?-?\s?(?:[A-Z]|[0-9]{1,2}\s?[º°ª]?)(?![^\W\d_])|[a-z](?![^\W\d_]))"
_FLOOR_WORD = (
    r"(?i:bajos?|bj|bjo|baixos?|bxs|entresuelo|entlo|entresol|[aá]tico|àtic|atic"
    r"|sobre[aá]tico|principal|pral|izquierda|izqda|izq|izda|derecha|dcha"
    r"|dch|drcha|dreta|esquerra|centro|ctro|interior|exterior)(?![^\W\d_])"
)
_FLOOR_LABEL = (
    r"(?i:piso|planta|puerta|pta|porta|pt|escalera|esc|escala|bloque|blq|portal"
    r"|letra|apartamento|apto|dpto|departamento)\.?\s*[0-9A-Za-z]{1,3}(?![^\W\d_])[º°ª]?"
)
_ADDRESS_DETAIL = (
    rf"(?:{_ORDINAL}{_DOOR_LETTER}?|{_FLOOR_WORD}|{_FLOOR_LABEL}"
    r"|[0-9]{1,2}[-/][0-9A-Za-z]{1,2}(?![0-9A-Za-z/])|[A-Z](?![^\W\d_]))"
)
_HOUSE_NUMBER = (
    r"(?P<number>"
    rf"(?:{_NUMBER_MARKER}\s*)?"
    rf"[0-9]{{1,4}}(?![0-9])(?!\s*{_UNITS})"
    r"(?:\s?[º°ª](?:\s?-?[A-Z](?![^\W\d_]))?|(?:\s?(?i:bis)|[A-Za-z]|\s[A-Z])(?![^\W\d_])"
    r"|(?:st|nd|rd|th)(?:\s(?i:floor))?(?![^\W\d_]))?"
    r"(?:\s?-\s?[0-9]{1,4}(?![0-9º°ª]))?"  # "3-5", not the floor in "3 - 2º"
    rf"(?:[\s,\-]*{_ADDRESS_DETAIL}){{0,4}}"
    r")"
)
# "Ramón y Cajal", "Prat de la Riba i Sala": a conjunction before a capitalised word.
_STREET_CONNECTOR = r"(?:[yie]\s+(?=[A-ZÀ-ÖØ-Þ]))"
_STREET_NAME = rf"(?P<name>{_STREET_WORD}(?:\s+{_STREET_CONNECTOR}?{_STREET_WORD}){{0,6}})"
_STREET_ADDRESS_RE = re.compile(
    rf"(?<![^\W\d_]){_STREET_TYPE}\s*{_STREET_NAME}[^\S\n]*,?[^\S\n]*{_HOUSE_NUMBER}"
)
# "vivo en Mayor 3": a home address announced without a street type.
_HOME_ADDRESS_RE = re.compile(
    r"(?<![^\W\d_])(?i:vivo\s+en|vivo\s+a|resido\s+en|domicilio(?:\s+en)?|domiciliad[oa]\s+en"
    r"|mi\s+direcci[oó]n\s+es|direcci[oó]n|visc\s+(?:a|al|en)|adre[çc]a|i\s+live\s+(?:at|in|on)"
    r"|my\s+address\s+is|address)(?![^\W\d_])[^\S\n]*:?[^\S\n]*"
    rf"{_STREET_NAME}[^\S\n]*,?[^\S\n]*{_HOUSE_NUMBER}"
)

# A street named without its type, in capitals: "Mayor", "Pau Claris", "Consell de Cent".
_CAPITALISED_WORD = r"[A-ZÀ-ÖØ-Þ][^\W\d_]+(?:['’\-][^\W\d_]+)*"
_CAPITALISED_STREET = (
    rf"(?P<name>{_CAPITALISED_WORD}(?:[^\S\n]+(?:(?:de|del|de\s+la|de\s+les|dels|i|y)[^\S\n]+"
    rf"|d['’])?{_CAPITALISED_WORD}){{0,3}})"
)
# "Mayor 12 2ºA", "Sardenya 215 1r 1a": without a street type, the floor or door after
# the number is what says it is an address.
_BARE_STREET_ADDRESS_RE = re.compile(
    rf"(?<![^\W\d_]){_CAPITALISED_STREET}[^\S\n]*,?[^\S\n]*"
    r"(?P<number>[0-9]{1,4}(?![0-9])(?:\s?(?i:bis)(?![^\W\d_]))?[\s,]*"
    rf"(?:{_ORDINAL}{_DOOR_LETTER}?|{_FLOOR_WORD}|{_FLOOR_LABEL})"
    rf"(?:[\s,\-]*{_ADDRESS_DETAIL}){{0,3}})"
)
# "del 2n 1a de Còrsega 290": the floor first, then the street and its number.
_FLOOR_FIRST_ADDRESS_RE = re.compile(
    rf"(?<![^\W\d_])(?P<floor>{_ORDINAL}(?:[^\S\n]?{_ORDINAL}|{_DOOR_LETTER})?)"
    r"[^\S\n]+(?:de|del|d['’])[^\S\n]*"
    rf"{_CAPITALISED_STREET}[^\S\n]*,?[^\S\n]*"
    rf"(?P<number>[0-9]{{1,4}})(?![0-9])(?!\s*{_UNITS})"
)
# "vivo en el 15 de la calle Goya", "al número 6 del carrer", "I live at 14 Calle Sol".
_NUMBER_BEFORE_STREET_RE = re.compile(
    r"(?<![^\W\d_])(?i:el|al|del|at)\s+"
    r"(?:(?i:número|numero|núm|num|nº|n\.º|number|no)\.?\s*)?"
    r"(?P<number>[0-9]{1,4}(?![0-9])(?:\s?(?i:bis)|[A-Za-z])?(?![^\W\d_])"
    rf"(?:[\s,\-]*{_ADDRESS_DETAIL}){{0,3}})"
    r"(?=[\s,]+(?:(?i:de\s+la|de\s+l['’]|del|de|d['’]|of\s+the|of)\s*)?"
    rf"{_STREET_TYPE})"
)
# "12 High Street", "Flat 2, 7 Elm Road".
_ENGLISH_ADDRESS_RE = re.compile(
    r"(?<![^\W\d_])(?P<number>[0-9]{1,4}[A-Za-z]?)(?![^\W_])"
    r"(?=,?\s+(?:[A-Z][a-z'’]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Way|Square|Place|Gardens|Terrace"
    r"|Crescent|Grove|Court|Row|Hill|Park)(?![^\W\d_]))"
)

# --- Names -------------------------------------------------------------------------------

_LETTERS_RE = re.compile(r"[^\W\d_]+")
_NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")

# Triggers after which the next words are a name whatever their case ("me llamo ana").
_PLAIN_INTRODUCTION = (
    r"me\s+llamo|mi\s+nombre\s+es|nombre\s+y\s+apellidos|em\s+dic|el\s+meu\s+nom\s+[eé]s"
    r"|em\s+diuen|my\s+name\s+is|titular|nombre\s*:|nom\s*:|name\s*:"
)
# Triggers after which only capitalised words are taken ("soy Ana" but not "soy vecino").
_CAPITALISED_INTRODUCTION = (
    r"soy|s[oó]c|i\s+am|i['’]m|this\s+is|les?\s+escribe|us\s+escriu|atentamente|un\s+saludo"
    r"|saludos|salutacions|una\s+salutaci[oó]|gr[aà]cies|gracias|regards|thanks|att\.?|atte\.?"
)
_INTRODUCTION_RE = re.compile(
    rf"(?<![^\W\d_])(?i:(?P<plain>{_PLAIN_INTRODUCTION})|(?P<capitalised>{_CAPITALISED_INTRODUCTION}))"
    r"(?:(?<=[.:])|(?![^\W\d_]))[\s,:\-]*"
)
_NAME_GAP_RE = re.compile(r"[^\S\n]+")

# Words that may sit inside a full name and are never redacted on their own.
_PARTICLES = frozenset(
    "de del la las los el les dels d l i y e da das do dos van von der den di du al ben bin"
    " mac mc st san santa sant".split()
)
# Words that come before a name in an introduction ("sóc la Marta", "soy D. Pedro").
_NAME_PREFIXES = frozenset(
    "la el en na l sr sra srta don dona d da mr mrs ms miss dr dra senyor senyora".split()
)
# Function words and frequent words of Spanish, Catalan and English that end a name in an
# introduction ("me llamo ana y vivo...") and are never taken for one.
_STOPWORDS = frozenset(
    """
    a al ante con contra de del desde en entre hacia hasta para por segun sin sobre tras el
    la los las lo un una unos unas y e o u ni que pero porque como cuando donde si no ya muy
    mas tambien tampoco aqui alli ahi este esta estos estas ese esa eso esto mi mis tu tus su
    sus nuestro nuestra me te se le les nos os yo hay ha han he hemos es son soy estoy estan
    fue era tengo tiene tienen tenemos vivo vive viven quiero queria quisiera necesito escribo
    escribia llamo llevo lleva llevan puede pueden podria gracias hola buenas buenos dias
    tardes noches saludos saludo atentamente cordiales cordial vecino vecina vecinos vecinas
    residente propietario propietaria inquilino inquilina usuario usuaria jubilado jubilada
    ayuntamiento senor senora sr sra don dona calle avenida plaza paseo barrio zona problema
    queja aviso favor urgente hoy ayer manana semana lunes martes miercoles jueves viernes
    sabado domingo otra otro vez nuevo nueva presidente presidenta comunidad madre padre
    hijo hija espanol espanola nada todo todos bien mal gente persona consciente
    responsable miembro socio socia cliente
    amb per perque sense fins des cap els uns unes com quan on molt tambe alla aquest
    aquesta meu meva na hi fa soc estic tinc visc vull voldria necessito escric porto bon bona
    dia tarda nit gracies salutacions vei veina veins ajuntament carrer avinguda placa passeig
    senyor senyora avui ahir dema dilluns dimarts dimecres dijous divendres dissabte diumenge
    i im am is are was the an and or but not yes from in at on of to for with by my your our
    his her this that there here writing living live resident neighbour neighbor council
    sure sorry hello hi thanks thank please regards best kind mr mrs ms dr street road avenue
    today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday just
    calling contacting going having new spanish english british again also still very
    """.split()
)
# Given names and surnames that are also ordinary words ("la luz de la farola", "Carrer de
# la Pau", "calle del Sol"). A resident's name token in this list is redacted only next
# to another of their name tokens ("Luz García"), never on its own.
_COMMON_NAME_WORDS = frozenset(
    """
    luz rosa sol mar paz cruz pilar flor flores nieves dolores angeles rocio consuelo soledad
    amparo esperanza remedios milagros mercedes gracia aurora estrella victoria pau alba
    blanco blanca moreno rubio delgado calvo bravo prieto castillo torre torres vega fuente
    fuentes iglesia iglesias pozo campo campos prado rios rio santos ramos leon lobo cano
    serrano cordero caballero herrero guerra marina mayor rey reyes plaza calle villa vila
    font roca serra riera prat camps mas puig bosch pons soler sala costa pla mora pastor
    molina sierra arroyo valle monte montes lago rivera ribera cuesta franco justo leal
    navarro romero moral morales olivo olivares palacio palacios parra paredes pena pinto
    puerta rico salas soto vidal hope grace joy rose may will mark bill green brown white
    black king young long hill wood park lane
    """.split()
)
# Frequent given names in Spain (INE), for "hola soy ana" typed in lower case. Names that
# are also ordinary words ("luz", "rosa") are left to _COMMON_NAME_WORDS.
_GIVEN_NAMES = frozenset(
    """
    antonio manuel jose francisco david juan javier daniel carlos jesus alejandro miguel
    rafael pedro pablo angel sergio fernando jorge luis alberto alvaro adrian diego raul
    enrique ramon vicente ivan ruben oscar andres joaquin santiago eduardo victor roberto
    jaime marcos hugo mario alfonso ignacio salvador ricardo emilio guillermo gabriel
    julian julio tomas agustin marc jordi pau pere joan josep xavier albert oriol arnau
    pol marti ferran sergi enric lluis iker unai aitor mikel asier jon xabier mohamed
    mohammed ahmed ali omar youssef hassan karim
    maria carmen ana isabel laura cristina marta lucia elena sara paula raquel manuela
    rocio beatriz patricia andrea silvia julia irene nuria monica sonia alicia natalia
    claudia marina montserrat montse rosario teresa susana yolanda eva ines noelia
    alba lorena veronica antonia francisca dolores josefa concepcion esther olga miriam
    angela sofia martina valeria nerea ainhoa leire amaia maite mireia anna laia neus
    merce meritxell gemma judit aina berta carla clara fatima khadija amina aicha
    john james michael robert william richard thomas sarah emma emily jessica jennifer
    """.split()
)
_PLACEHOLDER_WORDS = frozenset(
    _fold(word) for p in Placeholder for word in _LETTERS_RE.findall(p.value)
)


# --- Rules -------------------------------------------------------------------------------


def _replace_group(group: str, placeholder: Placeholder) -> Callable[[re.Match[str]], str]:
    """Return a replacer that swaps only the named group of a match for placeholder."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span(group)
        whole = match.group()
        offset = match.start()
        return whole[: start - offset] + placeholder + whole[end - offset :]

    return replace


def _iban_length(country: str) -> int | None:
    """Return the length of an IBAN of country, or None if the country has no IBAN."""
    # stdnum keeps the IBAN registry in a private numdb; the version is pinned.
    info = iban._ibandb.info(country)
    structure = info[0][1].get("bban") if info else None
    if not structure:
        return None
    return 4 + sum(int(size) for size in re.findall(r"([0-9]+)!", structure))


def _redact_iban(match: re.Match[str]) -> str:
    """Return the IBAN-shaped match as a placeholder, keeping any word glued after it."""
    candidate = match.group()
    # Separated trailing groups of letters are the words after the number ("... 1332 para").
    groups = _IBAN_GROUP_SPLIT_RE.split(candidate)
    while len(groups) > 1 and groups[-1].isalpha():
        groups.pop()
    end = len(" ".join(groups))  # every separator is one character
    # A word glued to the number ("...1332para") is cut off by the country's length.
    positions = [i for i, c in enumerate(candidate[:end]) if c.isalnum()]
    length = _iban_length(candidate[:2].upper())
    if length and len(positions) > length:
        end = positions[length - 1] + 1
    account, rest = candidate[:end], candidate[end:]
    # Real account numbers are mostly digits (GB and NL carry a 4-letter bank code); a
    # candidate full of letters is words that happen to follow "ES12".
    letters = sum(c.isalpha() for c in account[4:])
    if sum(c.isdigit() for c in account) < 10 or (letters > 4 and not iban.is_valid(account)):
        return candidate
    return Placeholder.BANK_ACCOUNT + rest


def _redact_card(match: re.Match[str]) -> str:
    """Return the match as a card placeholder if it is a card number."""
    number = re.sub(r"[ \-]", "", match.group())
    grouped_by_four = bool(re.fullmatch(r"[0-9]{4}(?:[ \-][0-9]{4}){3}", match.group()))
    if 13 <= len(number) <= 19 and (luhn.is_valid(number) or grouped_by_four):
        return Placeholder.CARD
    return match.group()


# Words of one letter in Spanish, Catalan and English that may follow a number.
_ONE_LETTER_WORDS = frozenset("aeiouy")


def _redact_dni(match: re.Match[str]) -> str:
    """Return the match as a document placeholder unless it is ordinary words."""
    digits = re.sub(r"[. ]", "", match["digits"])
    letter = match["letter"]
    # "12345678 y ..." is a number and a word; "12345678 Z" and "12345678 z" when the
    # checksum holds are a DNI.
    if match["sep"].isspace() and letter.islower():
        if letter in _ONE_LETTER_WORDS or not dni.is_valid(digits.zfill(8) + letter.upper()):
            return match.group()
    return Placeholder.DOCUMENT


def _redact_nie(match: re.Match[str]) -> str:
    """Return the NIE as a document placeholder, keeping a trailing word that is no letter."""
    prefix, letter = match["prefix"], match["letter"]
    number = prefix.upper() + re.sub(r"[. ]", "", match["digits"]) + (letter or "").upper()
    valid = bool(letter) and nie.is_valid(number)
    # "entre 1000000 y 2000000 euros": a lone lower-case y before a number is a word.
    if prefix.islower() and match["gap"].isspace() and not valid:
        return match.group()
    if letter and match["sep"].isspace() and letter.islower() and not valid:
        # "X1234567 a las 10": keep the word, still remove the number.
        return Placeholder.DOCUMENT + match.group()[match.start("sep") - match.start() :]
    return Placeholder.DOCUMENT


def _redact_nif(match: re.Match[str]) -> str:
    """Return the match as a document placeholder if it is a NIF K/L/M or a valid CIF."""
    prefix = match["prefix"]
    number = prefix.upper() + match["digits"] + match["control"].upper()
    if prefix in "KLMklm":
        if prefix.isupper() or nif.is_valid(number):
            return Placeholder.DOCUMENT
        return match.group()
    return Placeholder.DOCUMENT if cif.is_valid(number) else match.group()


def _redact_labelled_document(match: re.Match[str]) -> str:
    """Return the match with its number as a placeholder if it holds five digits or more."""
    if sum(c.isdigit() for c in match["number"]) < 5:
        return match.group()
    return _replace_group("number", Placeholder.DOCUMENT)(match)


def _redact_plate(match: re.Match[str]) -> str:
    """Return the match as a plate placeholder unless the letters are a unit."""
    if match["letters"].lower() in _PLATE_LOOKALIKES:
        return match.group()
    return Placeholder.PLATE


def _redact_old_plate(match: re.Match[str]) -> str:
    """Return the match as a plate placeholder if it is a provincial plate."""
    province, suffix = match["province"], match["suffix"]
    if province.upper() not in _PROVINCE_CODES:
        return match.group()
    # "a 1500 m" is a distance; lower case counts only in the unmistakable "m-1234-ab".
    if not (province.isupper() and suffix.isupper()):
        if match["sep1"] != "-" or match["sep2"] != "-":
            return match.group()
    return Placeholder.PLATE


def _redact_phonenumbers(text: str) -> str:
    """Return text with what libphonenumber recognises as a phone number replaced."""
    pieces: list[str] = []
    last = 0
    matcher = phonenumbers.PhoneNumberMatcher(text, "ES", leniency=phonenumbers.Leniency.POSSIBLE)
    for found in matcher:
        pieces.append(text[last : found.start])
        pieces.append(Placeholder.PHONE)
        last = found.end
    pieces.append(text[last:])
    return "".join(pieces)


def _redact_address(match: re.Match[str]) -> str:
    """Return the address with its number, floor and door replaced; keep the street."""
    return _replace_group("number", Placeholder.NUMBER)(match)


def _redact_floor_first_address(match: re.Match[str]) -> str:
    """Return "2n 1a de Còrsega 290" with the floor and the number replaced."""
    whole, offset = match.group(), match.start()
    floor_end, (number_start, number_end) = match.end("floor"), match.span("number")
    return (
        Placeholder.NUMBER
        + whole[floor_end - offset : number_start - offset]
        + Placeholder.NUMBER
        + whole[number_end - offset :]
    )


def _redact_bare_dni(match: re.Match[str]) -> str:
    """Return eight bare digits as a document placeholder."""
    return Placeholder.DOCUMENT


def _introduction_span(text: str, start: int, *, capitalised_only: bool) -> tuple[int, int] | None:
    """Return the span of the name that starts at or after start, or None."""
    position = start
    prefixes = 0
    # Skip articles and honorifics: "sóc la Marta", "soy D. Pedro".
    while prefixes < 2:
        word = _NAME_WORD_RE.match(text, position)
        if not word or _fold(word.group().rstrip(".")) not in _NAME_PREFIXES:
            break
        gap = _NAME_GAP_RE.match(text, word.end())
        if not gap:
            break
        position = gap.end()
        prefixes += 1
    first = last = None
    pending = taken = 0
    while True:
        word = _NAME_WORD_RE.match(text, position)
        if not word:
            break
        value = word.group().rstrip(".")
        key = _fold(value)
        # A full stop ends the name ("me llamo Iker. La farola..."), except after an
        # initial ("John F. Kennedy").
        ends_sentence = word.group().endswith(".") and len(value) > 1
        if first is not None and key in _PARTICLES and pending < 2:
            pending += 1
        elif (
            len(key) >= 2
            and key not in _STOPWORDS
            and key not in _PARTICLES
            and key not in _PLACEHOLDER_WORDS
            and (not capitalised_only or value[0].isupper() or key in _GIVEN_NAMES)
        ):
            # "hola soy ana ruiz": once a given name opens it, lower case may go on.
            if first is None and not value[0].isupper():
                capitalised_only = False
            if first is None:
                first = word.start()
            last = word.start() + len(value)
            pending = 0
            taken += 1
            if taken == 4 or ends_sentence:  # given name and up to three surnames
                break
        else:
            break
        gap = _NAME_GAP_RE.match(text, word.end())
        if not gap:
            break
        position = gap.end()
    if first is None or last is None:
        return None
    return first, last


def _redact_introductions(text: str) -> str:
    """Return text with the name after "me llamo", "soy", "em dic", ... replaced."""
    spans: list[tuple[int, int]] = []
    for match in _INTRODUCTION_RE.finditer(text):
        span = _introduction_span(
            text, match.end(), capitalised_only=match["capitalised"] is not None
        )
        if span and (not spans or span[0] >= spans[-1][1]):
            spans.append(span)
    return _replace_spans(text, spans, Placeholder.NAME)


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: Placeholder) -> str:
    """Return text with each of the sorted, disjoint spans replaced by placeholder."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(placeholder)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


class _KnownNames:
    """The resident's name tokens as the council knows them, ready to find in text."""

    def __init__(self, names: Iterable[str]) -> None:
        self.distinct: set[str] = set()
        self.common: set[str] = set()
        for name in names:
            for token in _LETTERS_RE.findall(name):
                key = _fold(token)
                if len(key) < 3 or key in _PARTICLES or key in _PLACEHOLDER_WORDS:
                    continue
                if key in _COMMON_NAME_WORDS or key in _STOPWORDS:
                    self.common.add(key)
                else:
                    self.distinct.add(key)

    def redact(self, text: str) -> str:
        """Return text with the resident's name tokens replaced, as whole words."""
        if not self.distinct and not self.common:
            return text
        words = list(_LETTERS_RE.finditer(text))
        keys = [_fold(w.group()) for w in words]
        known = self.distinct | self.common
        spans: list[tuple[int, int]] = []
        for i, word in enumerate(words):
            key = keys[i]
            if key in self.distinct or (
                key in self.common and self._beside_name(words, keys, i, known)
            ):
                spans.append(word.span())
        return _replace_spans(text, spans, Placeholder.NAME)

    @staticmethod
    def _beside_name(words: list[re.Match[str]], keys: list[str], i: int, known: set[str]) -> bool:
        """Return whether word i sits next to another of the name's words."""
        for j in (i - 1, i + 1):
            if not 0 <= j < len(words) or keys[j] == keys[i]:
                continue
            left, right = (words[j], words[i]) if j < i else (words[i], words[j])
            between = left.string[left.end() : right.start()]
            if keys[j] in known and re.fullmatch(r"[^\S\n]*-?[^\S\n]*", between) and between:
                return True
        return False


# A phrase to keep matches however it is accented: "Lucía", "Lucia", "LUCÍA".
_ACCENTED = {
    "a": "aàáâäã",
    "e": "eèéêë",
    "i": "iìíîï",
    "o": "oòóôöõ",
    "u": "uùúûü",
    "n": "nñ",
    "c": "cç",
}


def _keep_pattern(keep: Iterable[str]) -> re.Pattern[str] | None:
    """Return a pattern matching any of the phrases to keep, ignoring case and accents."""
    return _keep_pattern_of(tuple(sorted({p.strip() for p in keep if p and p.strip()})))


@functools.lru_cache(maxsize=64)
def _keep_pattern_of(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Build ``_keep_pattern``'s pattern once per set of phrases.

    The phrases are a council's names of departments and categories, the same for every
    new case's summary; building the pattern took longer than redacting the text.
    """
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):
        pieces = []
        for char in _normalise(phrase):
            if char.isspace():
                pieces.append(r"\s+")
                continue
            base = _fold(char)
            variants = set(_ACCENTED.get(base, base) + char.lower()) if base else {char}
            variants |= {v.upper() for v in variants}
            pieces.append("[" + "".join(re.escape(v) for v in sorted(variants)) + "]")
        if pieces:
            alternatives.append("".join(pieces))
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _mark_kind(masks: _Masks) -> Callable[[str], MarkKind]:
    """Return what a placeholder or a mask character in the text stands for."""

    def kind(mark: str) -> MarkKind:
        if len(mark) == 1 and _MASK_FIRST <= ord(mark) <= _MASK_LAST:
            index = ord(mark) - _MASK_FIRST
            mark = masks.originals[index] if index < len(masks.originals) else ""
        if mark == Placeholder.NAME:
            return "name"
        if mark == Placeholder.NUMBER:
            return "number"
        return "other"

    return kind


@dataclass(frozen=True)
class Doubt:
    """Words the redaction was unsure about: a name it may have missed or wrongly taken.

    ``removed`` says whether the words were replaced by ``[nombre]`` (they may not have
    been a name) or kept (they may be one). ``start`` and ``end`` locate kept words in
    :attr:`Redaction.text`; they are ``None`` for removed words, which are no longer there.
    """

    text: str
    reason: DoubtReason
    removed: bool
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Redaction:
    """The redacted text, and what the redaction was unsure about in it."""

    text: str
    doubts: tuple[Doubt, ...] = ()


def _redact_people(text: str, masks: _Masks, doubts: list[tuple[str, DoubtReason, bool]]) -> str:
    """Return text with people's names replaced; note the doubtful ones in doubts."""
    spans: list[tuple[int, int]] = []
    for finding in find_names(text, _mark_kind(masks)):
        if finding.doubt is not None:
            words = masks.reveal(text[finding.start : finding.end])
            doubts.append((words, finding.doubt, finding.remove))
        if finding.remove and (not spans or finding.start >= spans[-1][1]):
            spans.append((finding.start, finding.end))
    return _replace_spans(text, spans, Placeholder.NAME)


def _redact_pass(
    text: str,
    names: _KnownNames,
    keep: re.Pattern[str] | None,
    doubts: list[tuple[str, DoubtReason, bool]],
) -> str:
    """Return text after one run of every rule, most specific first."""
    masks = _Masks()
    # Placeholders from an earlier pass are never touched again: this is what makes
    # redaction converge and so idempotent.
    text = masks.hide(_PLACEHOLDER_RE, text)
    text = _EMAIL_RE.sub(Placeholder.EMAIL, text)
    text = _PROFILE_URL_RE.sub(_replace_group("profile", Placeholder.PROFILE), text)
    text = _HANDLE_RE.sub(Placeholder.PROFILE, text)
    text = _IBAN_CANDIDATE_RE.sub(_redact_iban, text)
    text = masks.hide(_PUBLIC_NUMBER_RE, text)
    text = _CCC_RE.sub(Placeholder.BANK_ACCOUNT, text)
    text = _CARD_RE.sub(_redact_card, text)
    text = _NIE_RE.sub(_redact_nie, text)
    text = _NIF_RE.sub(_redact_nif, text)
    text = _DNI_RE.sub(_redact_dni, text)
    text = _LABELLED_DOCUMENT_RE.sub(_redact_labelled_document, text)
    text = _SOCIAL_SECURITY_RE.sub(Placeholder.DOCUMENT, text)
    text = _PLATE_RE.sub(_redact_plate, text)
    text = _OLD_PLATE_RE.sub(_redact_old_plate, text)
    text = _LABELLED_PHONE_RE.sub(_replace_group("number", Placeholder.PHONE), text)
    # libphonenumber first: it knows where "+33 6 12 34 56 78" starts, which the
    # Spanish pattern would take for a Spanish mobile after a stray "+33".
    text = _redact_phonenumbers(text)
    text = _SPANISH_PHONE_RE.sub(Placeholder.PHONE, text)
    text = _BARE_DNI_RE.sub(_redact_bare_dni, text)
    text = _STREET_ADDRESS_RE.sub(_redact_address, text)
    text = _HOME_ADDRESS_RE.sub(_redact_address, text)
    text = _BARE_STREET_ADDRESS_RE.sub(_redact_address, text)
    text = _FLOOR_FIRST_ADDRESS_RE.sub(_redact_floor_first_address, text)
    text = _NUMBER_BEFORE_STREET_RE.sub(_redact_address, text)
    text = _ENGLISH_ADDRESS_RE.sub(_redact_address, text)
    if keep is not None:
        text = masks.hide(keep, text)
    text = _redact_introductions(text)
    text = names.redact(text)
    text = _redact_people(text, masks, doubts)
    text = masks.reveal(text)
    return _REPEATED_PLACEHOLDER_RE.sub(r"\1", text)


def redact_with_doubts(
    text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()
) -> Redaction:
    """Return text redacted as :func:`redact` does, with the doubts it had about names.

    Staff approving a public summary look at the doubts: kept words that may be a name
    ("Rosa" alone), removed words that may not have been one ("el bar de Martínez").
    """
    known = _KnownNames(names)
    keep_pattern = _keep_pattern(keep)
    found: list[tuple[str, DoubtReason, bool]] = []
    text = _normalise(text)
    for _ in range(_MAX_PASSES):
        redacted = _redact_pass(text, known, keep_pattern, found)
        if redacted == text:
            break
        text = redacted
    doubts: list[Doubt] = []
    seen: set[tuple[str, DoubtReason, bool]] = set()
    for words, reason, removed in found:
        if (words, reason, removed) in seen or _PLACEHOLDER_RE.search(words):
            continue
        seen.add((words, reason, removed))
        if removed:
            doubts.append(Doubt(words, reason, removed=True))
            continue
        where = re.search(r"(?<![^\W_])" + re.escape(words) + r"(?![^\W_])", text)
        if where:
            doubts.append(Doubt(words, reason, removed=False, start=where.start(), end=where.end()))
    return Redaction(text, tuple(doubts))


def redact(text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> str:
    """Return text with the resident's personal data replaced by placeholders.

    names are the resident's names as the council knows them ("María José García
    López"); each token of three letters or more is removed wherever it appears as a
    whole word, ignoring case and accents. Tokens that are also ordinary words ("Luz",
    "Rosa", "Sol", "Pau", "Font", see ``_COMMON_NAME_WORDS``) are removed only next to
    another token of the name, so "la luz de la farola" survives but "Luz García" does
    not. Name particles ("de", "del", "i", ...) are never removed on their own.

    Other people's names are found by :func:`ventanilla.privacy.names.find_names`.

    keep are phrases never taken for a name, whatever case or accents they are written
    in: the council's department and category names ("Parques y Jardines", "Centro Cívico
    Clara Campoamor").

    The result is a fixed point: ``redact(redact(x)) == redact(x)``. Besides the
    placeholders, the text changes only in ways a reader does not notice: Unicode NFC,
    invisible formatting marks and private-use characters removed, non-ASCII digits
    written in ASCII.

    Known gaps, by design or not yet handled:

    - a name in lower case is caught only after a cue ("mi vecino juan") or in a
      self-introduction, and when the list knows it, unless a naming verb precedes it
      ("se llama brayan");
    - a name that is also an ordinary word or a place ("Rosa", "Victoria") is caught only
      after a cue or beside another name; alone it is kept and reported as a doubt
      (:func:`redact_with_doubts`);
    - a person's name used as a street without a street type or number ("en Pau Claris
      con Aragó") is taken for a name; a street named after a person and followed by a
      house number is kept;
    - a house number after a bare street name is caught only when a floor or door follows
      ("Mayor 12 2ºA"), not "Mayor 12" alone;
    - numbers written in words ("seis cero cero...") are kept.
    """
    return redact_with_doubts(text, names=names, keep=keep).text


_WHITESPACE_RE = re.compile(r"\s+")
_TRAILING_PUNCTUATION = " ,;:-–—(\"'«"


def propose_summary(
    text: str, *, names: Iterable[str] = (), keep: Iterable[str] = (), max_length: int = 280
) -> str:
    """Return a redacted, single-line draft of a public summary of at most max_length.

    A longer text is cut at a word boundary and ends with an ellipsis. Redaction runs
    before the cut so that a cut never leaves half a phone number behind.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    redacted = redact(_WHITESPACE_RE.sub(" ", text), names=names, keep=keep)
    summary = _WHITESPACE_RE.sub(" ", redacted).strip()
    if len(summary) <= max_length:
        return summary
    cut = summary[: max_length - len(ELLIPSIS)]
    if not summary[len(cut)].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(_TRAILING_PUNCTUATION)
    return cut + ELLIPSIS
