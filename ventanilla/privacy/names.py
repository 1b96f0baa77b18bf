"""Find the names of people in what residents write (Spanish, Catalan, English).

Pure: ``re``, ``unicodedata`` and two data files; :mod:`ventanilla.privacy.redaction` calls
:func:`find_names` and replaces what it returns.

A capitalised word, or a run of them ("Francisco Javier Ortega Sanz", "Mohamed El
Amrani"), is a name when

- a cue comes right before it: a title ("Sr.", "doña", "la senyora", "Mrs"), a relation
  ("mi vecino", "el meu fill", "my landlord"), a naming verb ("se llama", "es diu",
  "named", "un tal"), a Catalan or colloquial article before a given name ("en Jordi",
  "l'Anna", "la Conchi"), or a clause naming a person before a comma ("el dueño del bar,
  Paco"; "la del quiosco" after it);
- or it holds a given name of :file:`data/given_names.txt`, or two surnames of
  :file:`data/surnames.txt`; a surname alone is taken too, as a doubt;
- or it follows "y", "i", "and" after a name, or signs off the message.

Names in lower case are taken after a cue when they are listed ("mi vecino juan"), and
any word after a naming verb ("se llama brayan").

A run is kept, whatever it holds, when it is the name of a street or a place: after a
street or facility word ("calle Doctor Fleming", "carrer de Pau Claris", "colegio Miguel
Hernández", "metro de Verdaguer"), a saint ("San Juan", "Sant Antoni"), before an English
street word ("Victoria Street") or a house number ("Pau Claris [nº]"), a brand
("Mercedes", "Mercadona"), or one of the words the caller asks to keep (masked before).

What the finder is unsure about comes back as doubts (:class:`DoubtReason`), so that staff
can look at them before a text is published.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

__all__ = ["DoubtReason", "Finding", "MarkKind", "find_names", "fold"]

_DATA = Path(__file__).resolve().parent / "data"

MarkKind = Literal["name", "number", "other"]


def fold(word: str) -> str:
    """Return word lower-cased and without accents, for comparisons."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _read_names(filename: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the names of a data file, and those of them that are also ordinary words."""
    plain: set[str] = set()
    ambiguous: set[str] = set()
    for line in (_DATA / filename).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, mark = line.partition(" ")
        for variant in {fold(word), fold(word).replace("-", "")}:
            (ambiguous if mark.strip() == "*" else plain).add(variant)
    return frozenset(plain - ambiguous), frozenset(ambiguous)


GIVEN_NAMES, AMBIGUOUS_GIVEN_NAMES = _read_names("given_names.txt")
SURNAMES, AMBIGUOUS_SURNAMES = _read_names("surnames.txt")
_ANY_NAME = GIVEN_NAMES | AMBIGUOUS_GIVEN_NAMES | SURNAMES | AMBIGUOUS_SURNAMES


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(word) for word in text.split())


# Titles before a name; kept in the text ("la señora [nombre]").
_TITLES = _words(
    """
    sr sra srta sres sras don dona dna dª d dr dra doctor doctora senor senora senorita
    senyor senyora senyoreta mr mrs ms miss mx sir lady madam fray sor
    """
)
# Relations and roles after which a name follows ("mi vecino Juan", "the owner, Toni").
_RELATIONS = _words(
    """
    vecino vecina vecinos vecinas hijo hija hijos hijas hermano hermana hermanos hermanas
    madre padre padres abuelo abuela abuelos nieto nieta nietos marido mujer esposo esposa
    pareja novio novia ex primo prima tio tia sobrino sobrina cunado cunada suegro suegra
    yerno nuera amigo amiga amigos companero companera dueno duena duenos propietario
    propietaria casero casera inquilino inquilina inquilinos inquilinas arrendador
    arrendadora encargado encargada responsable gerente jefe jefa conserje portero portera
    administrador administradora presidente presidenta cartero repartidor taxista monitor
    monitora profesor profesora profe maestro maestra entrenador entrenadora cuidador
    cuidadora trabajadora trabajador tecnico tecnica agente policia guardia medico medica
    enfermera enfermero chico chica chicos nino nina ninos senor senora hombre okupa okupas
    promotor promotora abogado abogada juez jueza concejal concejala alcalde alcaldesa
    funcionario funcionaria empleado empleada camarero camarera peluquera peluquero
    vei veina veins veines fill filla fills germa germana mare pare avi avia avis sogre
    sogra marit dona net neta cosi cosina nebot neboda oncle amic amiga companys company
    companya propietari propietaria amo mestressa encarregat encarregada llogater llogatera
    conserge porter portera president cuidadora metge metgessa mestra mestre noi noia nen
    nena home dependenta dependent
    neighbour neighbours neighbor neighbors landlord landlady owner manager tenant tenants
    husband wife son daughter brother sister mother father mum mom dad friend partner
    boyfriend girlfriend uncle aunt cousin nephew niece grandson granddaughter grandmother
    grandfather grandma grandpa nan caretaker janitor concierge cleaner colleague boss
    flatmate roommate housemate officer teacher nurse guy man woman girl boy kid child
    builder plumber
    """
)
# Verbs and phrases after which the next words are a name whatever their case.
_NAMING = _words(
    """
    llama llaman llamarse llamado llamada llamados diu diuen dir anomenat anomenada named
    called tal
    """
)
_COPULAS = _words("es son era eran és són era is are was were")
_POSSESSIVES = _words(
    "mi mis tu tus su sus nuestro nuestra my your his her their our"
    " meu meva meus meves seu seva teu teva"
)
# Articles before a given name: Catalan "en Jordi", "na Maria", "l'Anna", colloquial "la Conchi".
_PERSONAL_ARTICLES = _words("la el en na l")
_ARTICLES = _words("la el los las un una les els the a an lo")
_COORDINATION = _words("y i e and &")
# Particles inside a name ("María del Carmen", "da Silva", "Mohamed El Amrani").
_PARTICLES = _words(
    "de del la las los da das do dos di van von der den du le el al ben bin ibn abu mac"
)
# Words that say what comes after is a street or a place named after someone.
_PLACE_WORDS = _words(
    """
    calle c cl carrer cr avenida avda avd av avgda avinguda plaza pza plz pl placa plaça pça
    paseo pº pso passeig pg ronda rda camino cami travesia travessera travessia trav
    carretera ctra rambla rbla glorieta callejon pasaje passatge ptge urbanizacion urb
    bulevar boulevard alameda via costanilla cuesta ribera muelle moll
    colegio col escuela escola instituto institut ies ceip cep universidad universitat
    facultad hospital clinica ambulatorio cap parque parc jardin jardines jardins biblioteca
    polideportivo poliesportiu pabellon pavello estadio estadi campo camp centro centre
    casal residencia mercado mercat estacion estacio metro parada apeadero aeropuerto museo
    museu teatro teatre auditorio auditori fundacion fundacio iglesia esglesia parroquia
    ermita capilla convento monasterio barrio barri puente pont tunel torre edificio
    urbanizacio hotel cine
    street st road rd avenue ave lane square close drive way terrace crescent grove
    """
)
# English words that end a street's name ("Victoria Street", "King Street station").
_STREET_SUFFIXES = _words(
    """
    street st road rd avenue ave lane square close drive way terrace crescent grove gardens
    place park station hospital school church bridge hall market centre center college
    """
)
_SAINTS = _words("san sant santa santo sto sta st saint sainte virgen verge mare nuestra")
# Brands seen in residents' messages whose names are, or look like, people's names.
_BRANDS = _words(
    """
    mercedes mercadona carrefour lidl aldi dia eroski caprabo bonpreu condis consum
    alcampo zara mango primark decathlon ikea glovo deliveroo uber cabify bolt amazon
    correos seur renfe rodalies bicing bicimad movistar vodafone orange jazztel yoigo
    endesa iberdrola naturgy repsol cepsa santander bbva caixabank sabadell bankinter lime
    cooltra urbaser ferrovial acciona seat renault toyota ford citroen peugeot opel tesla
    orbea telepizza wallapop airbnb vueling iberia google facebook instagram whatsapp
    twitter tiktok telegram burger king mcdonalds estrella damm mahou
    """
)
# Capitalised words that are never a name: greetings, function words, days, months,
# and the words residents capitalise at the start of a sentence.
_NOT_NAMES = _words(
    """
    hola buenas buenos buen bon bona hello hi hey dear querido querida estimado estimada
    estimat estimats gracias gracies thanks thank saludos salutacions regards cordialmente
    atentamente att atte un una uno unos unas el la los las lo les els al del de en con
    por para sin sobre desde hasta hay ha han he hemos es son fue era esta este estos estas
    ese esa eso esto aqui alli ahi y e o u ni que pero porque como cuando donde si no ya
    muy mas menos tambien tampoco mi mis tu tus su sus me te se le nos os yo tu el ella
    ellos nosotros vosotros usted ustedes quiero queria necesito tengo llevo vivo soy estoy
    ayer hoy manana ahora luego antes despues siempre nunca todo todos toda todas nada
    otro otra cada mismo misma ayuntamiento ajuntament council policia guardia
    lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril mayo
    junio julio agosto septiembre setiembre octubre noviembre diciembre dilluns dimarts
    dimecres dijous divendres dissabte diumenge gener febrer maig juny juliol setembre
    novembre desembre monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
    i im i'm id i'd ive the a an and or but not yes no from in at on of to for with by
    this that there here it its we you they he she his her our their please sorry also
    just still very if when where what who why how which some any all every one two
    amb per perque sense fins des cap com quan on molt alla aquest aquesta aquests meu
    meva hi fa soc estic tinc visc vull voldria necessito avui ahir dema ara despres
    sempre mai tot tots tota totes res altre altra
    dni nie nif iban ibi ivtm cif cp cap ies ceip emt tmb fgc ok vale adjunto adjunta
    navidad nadal semana santa pascua feria fiesta fiestas festa major
    civil urbana urbano local municipal nacional roja rojo cruz publica publico
    """
)
_ROMAN_RE = re.compile(r"[IVXL]{1,5}")
_SENTENCE_BREAK_RE = re.compile(r"[.!?¡¿\n;:…]")
_SOFT_BREAK_RE = re.compile(r"[,(\[{\"«“—–]|\s-\s")

_TOKEN_RE = re.compile(
    r"(?P<mark>\[[^\[\]\s]{1,12}\]|[\ue000-\uf8ff])"
    r"|(?P<digits>[0-9]+)"
    r"|(?P<word>[^\W\d_]+(?:[-'’·][^\W\d_]+)*)(?P<dot>\.)?"
)
_ELISION_RE = re.compile(r"([dlnsDLNS])['’]([^\W\d_].*)")


class DoubtReason(StrEnum):
    """Why the finder is unsure about a word it removed or kept."""

    # Removed: a capitalised word that is in no list of names, after a cue ("el señor
    # Quintanilla"); it may be a nickname, a foreign name, or no name at all.
    UNKNOWN_AFTER_CUE = "unknown_after_cue"
    # Removed: one surname-like word with no cue ("el bar de Martínez"); it may be a place.
    SURNAME_ALONE = "surname_alone"
    # Kept: a name that is also an ordinary word or a place ("Rosa", "Victoria", "Luz")
    # with no cue around it; it may be a person.
    COMMON_WORD_NAME = "common_word_name"
    # Kept: names taken for a street or place because a house number follows them
    # ("Pau Claris [nº]"); they may be a person.
    NAME_AS_PLACE = "name_as_place"


@dataclass(frozen=True)
class Finding:
    """A stretch of text that is, or may be, a person's name."""

    start: int
    end: int
    remove: bool
    doubt: DoubtReason | None = None


@dataclass
class _Token:
    start: int
    end: int
    text: str
    key: str
    kind: Literal["word", "digits", "name", "number", "other"]
    dot: bool
    gap: str  # the text between the previous token and this one

    @property
    def capitalised(self) -> bool:
        if self.kind != "word" or not self.text[0].isupper():
            return False
        return not (self.text.isupper() and len(self.text) > 1) or self.key in _ANY_NAME

    @property
    def lower(self) -> bool:
        return self.kind == "word" and self.text[0].islower()


def _tokenise(text: str, mark_kind: Callable[[str], MarkKind]) -> list[_Token]:
    """Return the words, numbers and placeholders of text, each with the gap before it."""
    tokens: list[_Token] = []
    previous_end = 0
    for match in _TOKEN_RE.finditer(text):
        gap = text[previous_end : match.start()]
        if match["mark"]:
            kind = mark_kind(match["mark"])
            tokens.append(_Token(match.start(), match.end(), match["mark"], "", kind, False, gap))
        elif match["digits"]:
            tokens.append(
                _Token(match.start(), match.end(), match["digits"], "", "digits", False, gap)
            )
        else:
            word, start = match["word"], match.start()
            elided = _ELISION_RE.fullmatch(word)
            if elided:
                tokens.append(
                    _Token(start, start + 1, elided[1], fold(elided[1]), "word", False, gap)
                )
                gap, start, word = word[1], start + 2, elided[2]
            dot = bool(match["dot"])
            tokens.append(_Token(start, start + len(word), word, fold(word), "word", dot, gap))
        previous_end = match.end()
    return tokens


class _Finder:
    """One scan of a text for names."""

    def __init__(self, text: str, mark_kind: Callable[[str], MarkKind]) -> None:
        self.text = text
        self.tokens = _tokenise(text, mark_kind)
        self.findings: list[Finding] = []
        self.taken: set[int] = set()  # indexes of tokens already part of a finding
        self.named_runs: set[int] = set()  # last token index of each run found to be a name

    # --- Token predicates ------------------------------------------------------------

    def word(self, i: int) -> _Token | None:
        if 0 <= i < len(self.tokens) and self.tokens[i].kind == "word":
            return self.tokens[i]
        return None

    def key(self, i: int) -> str:
        token = self.word(i)
        return token.key if token else ""

    def spaced(self, i: int) -> bool:
        """Return whether only spaces (no line break, no punctuation) come before token i."""
        gap = self.tokens[i].gap
        return bool(gap) and not gap.strip() and "\n" not in gap

    def joined(self, i: int) -> bool:
        """Return whether token i follows the previous one within the same words."""
        gap = self.tokens[i].gap
        return gap in {"'", "’"} or self.spaced(i)

    def sentence_starts(self, i: int) -> bool:
        if i == 0:
            return True
        previous = self.tokens[i - 1]
        if _SENTENCE_BREAK_RE.search(self.tokens[i].gap):
            return True
        return previous.dot and len(previous.text) > 1 and previous.key not in _TITLES

    def is_initial(self, i: int) -> bool:
        token = self.word(i)
        return bool(token and len(token.text) == 1 and token.text.isupper() and token.dot)

    def name_like(self, i: int) -> bool:
        token = self.tokens[i] if 0 <= i < len(self.tokens) else None
        if token is None:
            return False
        if token.kind == "name":
            return True
        if token.kind != "word" or not token.capitalised or len(token.text) < 2:
            return False
        key = token.key
        if key in _SAINTS:
            return True
        return not (
            key in _NOT_NAMES
            or key in _TITLES
            or key in _RELATIONS
            or key in _PLACE_WORDS
            and key not in _ANY_NAME
        )

    # --- Runs --------------------------------------------------------------------------

    def run_from(self, i: int) -> int:
        """Return the index after the last token of the run of name words starting at i."""
        j = i + 1
        while j < len(self.tokens):
            previous = self.tokens[j - 1]
            if previous.dot and not self.is_initial(j - 1) and previous.key not in _TITLES:
                break
            if not self.spaced(j):
                break
            if self.name_like(j) or self.is_initial(j):
                j += 1
                continue
            token = self.word(j)
            if token and _ROMAN_RE.fullmatch(token.text) and token.text != "I":
                j += 1
                continue
            # "María del Carmen", "Riera i Coll": a particle between two name words.
            if token and j + 1 < len(self.tokens) and self.spaced(j + 1):
                after = self.tokens[j + 1]
                if token.key in _PARTICLES and self.name_like(j + 1):
                    j += 2
                    continue
                if (
                    token.key in {"i", "y"}
                    and self.key(j - 1) in _ANY_NAME
                    and after.kind == "word"
                    and after.key in SURNAMES | AMBIGUOUS_SURNAMES
                    and after.key not in GIVEN_NAMES
                    and self.name_like(j + 1)
                ):
                    j += 2
                    continue
            break
        return j

    def previous_word_index(self, i: int, skip: frozenset[str]) -> int:
        """Return the index of the first word before i not in skip, within the same words."""
        j = i - 1
        while j >= 0 and self.joined(j + 1) and self.key(j) in skip:
            j -= 1
        return j if j >= 0 and self.joined(j + 1) else -1

    def protection(self, start: int, end: int) -> tuple[str | None, DoubtReason | None]:
        """Return why the run is a street's, place's or brand's name, and any doubt.

        "place" (after a street or facility word, a saint, before "Street") holds whatever
        comes before; "brand" and "number" (a house number follows) give way to a title.
        """
        tokens = self.tokens[start:end]
        if any(t.key in _SAINTS for t in tokens[:1]):
            return "place", None
        # "calle Doctor Fleming", "carrer de Pau Claris", "plaça de l'Àngel".
        before = self.previous_word_index(start, _PARTICLES | _TITLES | _ARTICLES | {"d", "l"})
        if before >= 0 and self.key(before) in _PLACE_WORDS:
            return "place", None
        if end < len(self.tokens) and self.spaced(end) and self.key(end) in _STREET_SUFFIXES:
            return "place", None
        if len(tokens) <= 3 and all(t.key in _BRANDS for t in tokens if t.kind == "word"):
            return "brand", None
        if end < len(self.tokens):
            after = self.tokens[end]
            follows = after.kind in {"number", "digits"} and after.gap.strip() in {"", ","}
            if follows and "\n" not in after.gap:
                named = any(t.key in _ANY_NAME for t in tokens)
                return "number", DoubtReason.NAME_AS_PLACE if named else None
        return None, None

    def is_title(self, i: int) -> bool:
        """Return whether token i is a title; "D." and "D" only, not the "d" of "d'Aribau"."""
        token = self.word(i)
        if token is None or token.key not in _TITLES:
            return False
        if token.key == "d":
            return token.dot or (token.text == "D" and token.end == self.tokens[i + 1].start - 1)
        return True

    def greeted(self, start: int) -> bool:
        """Return whether a greeting comes right before: "Hola Marta", "Hi, Jack here"."""
        j = start - 1
        if j < 0 or _SENTENCE_BREAK_RE.search(self.tokens[start].gap):
            return False
        if self.key(j) in {
            "hola",
            "hi",
            "hello",
            "hey",
            "dear",
            "querido",
            "querida",
            "estimado",
            "estimada",
            "estimat",
        }:
            return True
        return self.key(j) in {
            "dia",
            "dias",
            "tardes",
            "tarda",
            "noches",
            "morning",
            "afternoon",
        } and (j >= 1 and self.key(j - 1) in {"bon", "bona", "buenos", "buenas", "good"})

    def cue_before(self, start: int) -> str | None:
        """Return the kind of cue right before token start: title, relation or naming."""
        first = self.tokens[start]
        j = start - 1
        if j < 0 or not self.joined(start):
            return None
        key = self.key(j)
        if key in _PERSONAL_ARTICLES and first.key in GIVEN_NAMES:
            return "article"
        if key in _NAMING:
            return "naming"
        if self.is_title(j):
            return "title"
        if key in _RELATIONS:
            return "relation"
        if key in _COPULAS:
            k = self.previous_word_index(j, frozenset())
            if k >= 0 and self.key(k) in _RELATIONS | {"nombre", "name", "nom"}:
                return "relation"
        # "mi vecino de arriba Juan", "mi compañera de piso Daniela".
        if j >= 2 and self.key(j - 1) in {"de", "del"} and self.tokens[j].lower:
            if self.key(j - 2) in _RELATIONS and self.joined(j) and self.joined(j - 1):
                return "relation"
        return None

    def clause_names_person(self, start: int) -> bool:
        """Return whether the clause before the comma at token start names a role."""
        if not _SOFT_BREAK_RE.search(self.tokens[start].gap):
            return False
        if _SENTENCE_BREAK_RE.search(self.tokens[start].gap):
            return False
        j = start - 1
        seen = 0
        while j >= 0 and seen < 10:
            token = self.tokens[j]
            if token.key in _RELATIONS or self.is_title(j):
                return True
            # "la del quiosco", "el de la tienda".
            if token.key in {"el", "la", "els", "les"} and self.key(j + 1) in {"de", "del", "d"}:
                return True
            if j == 0 or _SENTENCE_BREAK_RE.search(token.gap) or "," in token.gap:
                break
            j -= 1
            seen += 1
        return False

    def clause_after_names_person(self, end: int) -> bool:
        """Return whether a clause after the run names a role: "Paloma, la del quiosco"."""
        if end >= len(self.tokens) or "," not in self.tokens[end].gap:
            return False
        keys = [self.key(k) for k in range(end, min(end + 4, len(self.tokens)))]
        if keys[:1] and keys[0] in {"el", "la"} and keys[1:2] and keys[1] in {"de", "del", "d"}:
            return True
        for key in keys[:3]:
            if key in _RELATIONS:
                return True
            if key not in _ARTICLES | _POSSESSIVES:
                return False
        return False

    def signs_off(self, start: int, end: int) -> bool:
        """Return whether the run ends the message after a break: a signature."""
        rest = self.text[self.tokens[end - 1].end :]
        if any(c.isalnum() for c in rest):
            return False
        gap = self.tokens[start].gap
        return start == 0 or bool(_SENTENCE_BREAK_RE.search(gap) or "," in gap)

    def coordinated(self, start: int) -> bool:
        """Return whether the run follows "y", "i", "and" after a name."""
        j = start - 1
        if j < 1 or not self.spaced(start) or self.key(j) not in _COORDINATION:
            return False
        k = j - 1
        while k >= 0 and self.tokens[k].kind == "word" and self.key(k) in _PARTICLES:
            k -= 1
        return k in self.named_runs or (k >= 0 and self.tokens[k].kind == "name")

    # --- Decisions ---------------------------------------------------------------------

    def judge(self, start: int, end: int) -> None:
        tokens = [t for t in self.tokens[start:end] if t.kind == "name" or len(t.text) > 1]
        words = [t for t in tokens if t.kind == "word" and t.key not in _PARTICLES]
        keys = [t.key for t in words]
        has_mark = any(t.kind == "name" for t in tokens)
        given = any(k in GIVEN_NAMES for k in keys)
        surnames = [k for k in keys if k in SURNAMES]
        listed = [k for k in keys if k in _ANY_NAME]
        cue = self.cue_before(start)
        if cue is None and (
            self.clause_names_person(start)
            or self.clause_after_names_person(end)
            or self.coordinated(start)
            or self.greeted(start)
        ):
            cue = "clause"
        protection, place_doubt = self.protection(start, end)
        if protection == "place" or (protection and cue not in {"title", "naming"}):
            if place_doubt:
                self.add(start, end, remove=False, doubt=place_doubt)
            return
        if cue is None and self.signs_off(start, end) and (listed or has_mark or len(words) > 1):
            cue = "signature"
        if cue is not None:
            doubt = None if (listed or has_mark) else DoubtReason.UNKNOWN_AFTER_CUE
            self.add(start, end, remove=True, doubt=doubt)
        elif has_mark or given:
            self.add(start, end, remove=True)
        elif len(words) > 1 and surnames and len(listed) == len(words):
            self.add(start, end, remove=True)
        elif len(words) > 1 and surnames and len(listed) >= 2:
            self.add(start, end, remove=True)
        elif len(words) == 1 and surnames:
            self.add(start, end, remove=True, doubt=DoubtReason.SURNAME_ALONE)
        elif len(words) > 1 and len(listed) == len(words):
            self.add(start, end, remove=True)
        elif len(words) == 1 and listed and not self.sentence_starts(start):
            self.add(start, end, remove=False, doubt=DoubtReason.COMMON_WORD_NAME)

    def add(self, start: int, end: int, *, remove: bool, doubt: DoubtReason | None = None) -> None:
        last = end - 1
        while last > start and self.key(last) in _PARTICLES:
            last -= 1
        first, final = self.tokens[start], self.tokens[last]
        self.findings.append(Finding(first.start, final.end, remove, doubt))
        self.taken.update(range(start, last + 1))
        if remove:
            self.named_runs.add(last)

    def lower_case_after_cue(self, i: int) -> None:
        """Take a name in lower case after a cue: "mi vecino juan", "se llama brayan"."""
        token = self.word(i)
        if token is None or not token.lower or i in self.taken or len(token.text) < 2:
            return
        cue = self.cue_before(i)
        if cue is None and self.clause_names_person(i):
            cue = "clause"
        if cue is None:
            return
        if cue == "naming":
            if token.key in _NOT_NAMES or token.key in _ARTICLES:
                return
        elif token.key not in GIVEN_NAMES and not (cue == "title" and token.key in SURNAMES):
            return
        end = i + 1
        while (
            end < len(self.tokens)
            and self.spaced(end)
            and self.word(end)
            and self.tokens[end].lower
            and self.key(end) in _ANY_NAME
            and self.key(end) not in _NOT_NAMES
        ):
            end += 1
        self.add(i, end, remove=True)

    def scan(self) -> list[Finding]:
        i = 0
        while i < len(self.tokens):
            if i in self.taken:
                i += 1
                continue
            if self.name_like(i) or (self.is_initial(i) and self.name_like(i + 1)):
                end = self.run_from(i)
                self.judge(i, end)
                i = end
                continue
            if self.is_initial(i) and self.cue_before(i) == "title":
                self.add(i, i + 1, remove=True)
            self.lower_case_after_cue(i)
            i += 1
        return self.findings


def find_names(text: str, mark_kind: Callable[[str], MarkKind]) -> list[Finding]:
    """Return the stretches of text that are, or may be, people's names, in order.

    mark_kind tells what a placeholder ("[nombre]") or a private-use mask character in
    text stands for: a name already removed, a house number, or anything else.
    """
    return _Finder(text, mark_kind).scan()
