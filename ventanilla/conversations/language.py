"""Which language to answer in: Spanish, Catalan or English.

Three sources, strongest first: an explicit command ("English please", "en català"), the
text itself (``langdetect``, only when the text is long enough to be trusted, and a few
greetings it gets wrong), and the provider's hint (kept as the resident's language when they
were first seen). Spanish is the fallback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.language import Language

from ventanilla.conversations.bot_templates import LANGUAGES

#: the languages the detector weighs: ours, and those residents of Spanish towns often write
#: that could pass for one of ours. Fewer than langdetect's 55 make each detection several
#: times cheaper (it runs on every new resident's first message); a text in another
#: language is then a guess below the threshold, or one of these, and is not answered in it.
WEIGHED = (
    *("es", "ca", "en", "fr", "it", "pt", "de", "nl", "ro", "pl", "tr"),
    *("ru", "uk", "bg", "ar", "zh-cn"),
)

#: names a resident may use to ask for a language, accent- and case-insensitive
LANGUAGE_NAMES: dict[str, str] = {
    "espanol": "es",
    "castellano": "es",
    "spanish": "es",
    "castella": "es",
    "catala": "ca",
    "catalan": "ca",
    "valencia": "ca",
    "english": "en",
    "ingles": "en",
    "angles": "en",
}
_COMMAND = re.compile(
    r"^(?:(?:en|in|parla|parli|hable|habla|speak|please)\s+)?"
    r"(?P<name>[a-z]+)"
    r"(?:\s+(?:please|por favor|si us plau|sisplau|plis))?[.!]*$"
)
#: short greetings language detection gets wrong ("Bon dia" is not Italian)
GREETINGS: dict[str, str] = {
    "bon dia": "ca",
    "bona tarda": "ca",
    "bona nit": "ca",
    "bones": "ca",
    "bon dia a tots": "ca",
    "buenos dias": "es",
    "buenas tardes": "es",
    "buenas noches": "es",
    "buenas": "es",
    "hello": "en",
    "hi": "en",
    "hi there": "en",
    "good morning": "en",
    "good afternoon": "en",
    "good evening": "en",
}
#: below these, a detection is a guess and the current language stays
MIN_LETTERS = 12
MIN_WORDS_TO_SWITCH = 4
MIN_PROBABILITY = 0.8
MIN_PROBABILITY_TO_SWITCH = 0.95
#: langdetect samples the text's n-grams this many times (its default is 7). On the 1,500
#: Spanish, Catalan and English sentences of our translations, 3 named as many right (1,230
#: against 1,232) and as few wrong (49 and 49) as 7, in less than half the time: detection
#: was a fifth of a first message's processing.
TRIALS = 3


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents and with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def supported(codes: Iterable[str]) -> list[str]:
    """Return the codes among ``codes`` the bot can speak, in order; Spanish when none."""
    result = [code for code in codes if code in LANGUAGES]
    return result or ["es"]


def language_command(text: str, allowed: Iterable[str] = LANGUAGES) -> str | None:
    """Return the language asked for by "English please", "en català", "español"..., or None."""
    folded = " ".join(fold(text).replace(",", " ").split()).strip(" ¡!¿?.")
    if len(folded) > 30:
        return None
    match = _COMMAND.match(folded)
    if match is None:
        return None
    code = LANGUAGE_NAMES.get(match.group("name"))
    return code if code in set(allowed) else None


def detect(text: str, allowed: Iterable[str] = LANGUAGES, *, switching: bool = False) -> str | None:
    """Return the language ``text`` is written in if it is one of ``allowed`` and clear enough.

    ``switching`` asks for more evidence: it decides whether to leave a language the
    resident is already being answered in.
    """
    allowed = set(allowed)
    folded = fold(text).strip(" ¡!¿?.,")
    if folded in GREETINGS:
        code = GREETINGS[folded]
        return code if code in allowed else None
    letters = sum(c.isalpha() for c in folded)
    words = len(folded.split())
    if letters < MIN_LETTERS or (switching and words < MIN_WORDS_TO_SWITCH):
        return None
    try:
        detector = _factory().create()
        detector.n_trial = TRIALS
        detector.append(text)
        guesses: list[Language] = detector.get_probabilities()
    except LangDetectException:
        return None
    threshold = MIN_PROBABILITY_TO_SWITCH if switching else MIN_PROBABILITY
    best = guesses[0] if guesses else None
    if best is not None and best.lang in allowed and best.prob >= threshold:
        return str(best.lang)
    return None


@cache
def _factory() -> DetectorFactory:
    """Return langdetect's detector factory with the profiles of ``WEIGHED`` (read once)."""
    factory = DetectorFactory()
    folder = Path(PROFILES_DIRECTORY)
    profiles = [(folder / code).read_text(encoding="utf-8") for code in WEIGHED]
    factory.load_json_profile(profiles)
    factory.seed = 0  # langdetect is random by default; the same text gives the same answer
    return factory


def choose_first_language(*, text: str, current: str, allowed: Iterable[str]) -> str:
    """Return the language to greet a new resident in.

    ``current`` is what we know already: the provider's hint stored when the resident was
    first seen, or the council's first language.
    """
    allowed = supported(allowed)
    return (
        language_command(text, allowed)
        or detect(text, allowed)
        or (current if current in allowed else allowed[0])
    )
