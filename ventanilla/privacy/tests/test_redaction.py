import re
import time
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.privacy.redaction import ELLIPSIS, Placeholder, propose_summary, redact
from ventanilla.privacy.tests.messages import MESSAGES, SAMPLES

DNI = Placeholder.DOCUMENT.value
PHONE = Placeholder.PHONE.value
EMAIL = Placeholder.EMAIL.value
IBAN = Placeholder.BANK_ACCOUNT.value
CARD = Placeholder.CARD.value
PLATE = Placeholder.PLATE.value
NAME = Placeholder.NAME.value
NUMBER = Placeholder.NUMBER.value


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def survives(secret: str, text: str) -> bool:
    """Return whether secret is still readable in text, ignoring case, accents, spacing."""
    if any(c.isdigit() for c in secret):
        digits = re.sub(r"[^0-9]", "", secret)
        squeezed = re.sub(r"[\s.\-()+]", "", text)
        return fold(secret) in fold(text) or (len(digits) >= 6 and digits in squeezed)
    return re.search(rf"(?<!\w){re.escape(fold(secret))}(?!\w)", fold(text)) is not None


# --- The corpus ------------------------------------------------------------------------


def test_corpus_is_large_and_exported_for_end_to_end_tests():
    assert len(SAMPLES) >= 30
    assert all(isinstance(text, str) and secrets for text, secrets in MESSAGES)
    assert all(secret in sample.text for sample in SAMPLES for secret in sample.secrets)
    assert all(word in sample.text for sample in SAMPLES for word in sample.kept)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.text[:40])
def test_no_secret_of_a_resident_message_survives(sample):
    redacted = redact(sample.text, names=sample.names)

    leaked = [secret for secret in sample.secrets if survives(secret, redacted)]
    assert not leaked, redacted


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.text[:40])
def test_the_public_substance_of_a_resident_message_survives(sample):
    redacted = redact(sample.text, names=sample.names)

    lost = [word for word in sample.kept if word not in redacted]
    assert not lost, redacted


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.text[:40])
def test_redacting_a_resident_message_twice_changes_nothing(sample):
    once = redact(sample.text, names=sample.names)

    assert redact(once, names=sample.names) == once


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.text[:40])
def test_summary_of_a_resident_message_leaks_nothing(sample):
    summary = propose_summary(sample.text, names=sample.names, max_length=120)

    assert len(summary) <= 120
    assert not [secret for secret in sample.secrets if survives(secret, summary)]


# --- Identity documents ----------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        "12345678Z",
        "12345678z",
        "12.345.678-Z",
        "12 345 678 Z",
        "12345678-Z",
        "12345678 Z",
        "12345678 z",  # spaced lower case: kept as a DNI because the checksum holds
        "00000000T",
        "1234567L",  # old seven-digit DNI
        "12345678A",  # wrong check letter: a typo'd DNI is still personal data
        "87654321Q",
        "X1234567L",
        "x-1234567-l",
        "X 1234567 L",
        "X.1234567.L",
        "Y1234567X",
        "Z1234567R",
        "X2482300W",
        "X1234567",  # NIE without its letter
        "K1234567L",  # NIF of a Spaniard under 14
        "M1234567L",
        "B58378431",  # CIF
        "A13585625",
    ],
)
def test_identity_documents_are_redacted(document):
    assert redact(f"mi documento: {document} gracias") == f"mi documento: {DNI} gracias"
    assert redact(f"{document}") == DNI


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dni12345678Z", f"dni{DNI}"),
        ("nieX1234567L", f"nie{DNI}"),
        ("DNI 1234567", f"DNI {DNI}"),  # a digit missing, but labelled
        ("mi dni es 12345678", f"mi dni es {DNI}"),
        ("d.n.i.: 12.345.678", f"d.n.i.: {DNI}"),
        ("NIF 1234567-Z", f"NIF {DNI}"),
        ("pasaporte PAA123456", f"pasaporte {DNI}"),
        ("passport no. AB1234567", f"passport no. {DNI}"),
        ("tarjeta de residencia nº X1234567", f"tarjeta de residencia nº {DNI}"),
    ],
)
def test_labelled_identity_numbers_are_redacted_whatever_their_shape(text, expected):
    assert redact(text) == expected


# --- Phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "600111222",
        "600 11 12 22",
        "600-111-222",
        "600.11.12.22",
        "+34 600 11 12 22",
        "+34600111222",
        "0034 600 11 12 22",
        "0034600111222",
        "(+34) 600 11 12 22",
        "+34-600-111-222",
        "34 600 111 222",
        "93 123 45 67",
        "931 23 45 67",
        "(93) 123 45 67",
        "912 345 678",
        "711 22 33 44",
        "+44 20 7946 0958",
        "0044 20 7946 0958",
        "+44 7700 900123",
        "+33 6 12 34 56 78",
        "+1 415 555 0132",
        "+212 6 12 34 56 78",
        "+351 912 345 678",
    ],
)
def test_phone_numbers_are_redacted(phone):
    assert redact(f"llamadme al {phone} por favor") == f"llamadme al {PHONE} por favor"
    assert redact(f"hay un bache. {phone}") == f"hay un bache. {PHONE}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tlf600111222", f"tlf{PHONE}"),
        ("llamame al600111222 ya", f"llamame al{PHONE} ya"),
        ("tlf: 60011122", f"tlf: {PHONE}"),  # a digit missing
        ("mi movil es 6001112223", f"mi movil es {PHONE}"),  # a digit too many
        ("my mobile is 07700 900123", f"my mobile is {PHONE}"),
        ("whatsapp 612.34.56.78", f"whatsapp {PHONE}"),
        ("600111222/600333444", f"{PHONE}/{PHONE}"),
        ("Telèfon: 972 11 22 33", f"Telèfon: {PHONE}"),
        ("6\u200b0\u200b0 111 222", PHONE),  # zero-width spaces pasted in
        ("\u202a+34 600 11 12 22\u202c", PHONE),  # WhatsApp's bidi marks
        ("٦٠٠١١١٢٢٢", PHONE),  # Arabic-Indic digits
    ],
)
def test_phone_numbers_are_redacted_as_residents_write_them(text, expected):
    assert redact(text) == expected


def test_emergency_and_council_short_numbers_are_kept():
    text = "llame al 112 o al 010, o al 900 del ayuntamiento"

    assert redact(text) == text


# --- E-mail, bank accounts, cards --------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "maria.garcia@gmail.com",
        "pepe_1979@hotmail.es",
        "Jordi.Puig+ajuntament@xtec.cat",
        "sarah.oconnor@example.co.uk",
        "info@ayto-villanueva.es",
        "pepe arroba gmail punto com",
    ],
)
def test_email_addresses_are_redacted(email):
    assert redact(f"escribidme a {email}, gracias") == f"escribidme a {EMAIL}, gracias"


@pytest.mark.parametrize(
    "account",
    [
        "ES91 2100 0418 4502 0005 1332",
        "ES9121000418450200051332",
        "es91 2100 0418 4502 0005 1332",
        "ES91-2100-0418-4502-0005-1332",
        "ES7921000813610123456789",
        "ES00 1234 5678 9012 3456 7890",  # invalid checksum: still an account number
        "ES12 3456 7890 1234 5678 901",  # a digit missing
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "NL91ABNA0417164300",
        "FR14 2004 1010 0505 0001 3M02 606",
        "2100 0418 45 0200051332",  # CCC: the Spanish account without its IBAN prefix
        "21000418450200051332",
    ],
)
def test_bank_accounts_are_redacted(account):
    assert redact(f"cuenta {account} para la devolución") == f"cuenta {IBAN} para la devolución"


def test_iban_keeps_the_word_glued_after_it():
    assert redact("IBAN:ES9121000418450200051332para la tasa") == f"IBAN:{IBAN}para la tasa"


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111111111111111",
        "4111-1111-1111-1111",
        "5500 0000 0000 0004",
        "3782 822463 10005",  # Amex
        "4000 1234 5678 9012",  # grouped like a card, Luhn fails: still a card
    ],
)
def test_card_numbers_are_redacted(card):
    assert redact(f"pagué con {card} y no sale") == f"pagué con {CARD} y no sale"


# --- Car plates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate",
    [
        "1234 BCD",
        "1234-BCD",
        "1234BCD",
        "1234 bcd",
        "9012GHF",
        "0000 BBB",
        "M-1234-AB",
        "M 1234 AB",
        "B 1234 XY",
        "B-1234-X",
        "GI-5678-BC",
        "m-1234-ab",
        "1234 ABC",  # no Spanish plate has vowels, but a misread or foreign one is a plate
        "1234 BCQ",
        "C 1234 BCD",  # moped
    ],
)
def test_car_plates_are_redacted(plate):
    assert redact(f"el coche {plate} está en el vado") == f"el coche {PLATE} está en el vado"


@pytest.mark.parametrize(
    "text",
    [
        "1234 abc",  # in lower case, vowels make it words
        "a 1500 m del cruce",
        "1500 pts de multa",
        "en 2026 hay 1234 vecinos",
        "A 2000 metros",
    ],
)
def test_plate_lookalikes_are_kept(text):
    assert redact(text) == text


# --- Addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C/ Mayor 3", f"C/ Mayor {NUMBER}"),
        ("c/mayor 3", f"c/mayor {NUMBER}"),
        ("calle Mayor, 3, 2º 1ª", f"calle Mayor, {NUMBER}"),
        ("calle mayor 3 2º1ª", f"calle mayor {NUMBER}"),
        ("Av. Diagonal 123", f"Av. Diagonal {NUMBER}"),
        ("av diagonal 123, 3ºB", f"av diagonal {NUMBER}"),
        ("Avda. de la Constitución 45 bajo", f"Avda. de la Constitución {NUMBER}"),
        ("Carrer de la Pau 12", f"Carrer de la Pau {NUMBER}"),
        ("carrer d'en Robador 7, 1r 2a", f"carrer d'en Robador {NUMBER}"),
        ("Plaza España nº 5", f"Plaza España {NUMBER}"),
        ("plaza de España, núm. 5", f"plaza de España, {NUMBER}"),
        ("c/ Sant Joan 14 bajo", f"c/ Sant Joan {NUMBER}"),
        ("Pº de la Castellana 200, 5º izq", f"Pº de la Castellana {NUMBER}"),
        ("Passeig de Gràcia 45 4t 1a", f"Passeig de Gràcia {NUMBER}"),
        ("avinguda Meridiana 250", f"avinguda Meridiana {NUMBER}"),
        ("Plaça del Sol 3 àtic", f"Plaça del Sol {NUMBER}"),
        ("Ronda de Dalt 8 esc. B", f"Ronda de Dalt {NUMBER}"),
        ("Camino del Molino 12 bis", f"Camino del Molino {NUMBER}"),
        ("camí de la Font 3", f"camí de la Font {NUMBER}"),
        ("Travesía de la Iglesia 2 puerta 4", f"Travesía de la Iglesia {NUMBER}"),
        ("Ctra. de Valencia 17", f"Ctra. de Valencia {NUMBER}"),
        ("Plaza 2 de Mayo 5", f"Plaza 2 de Mayo {NUMBER}"),
        ("calle Mayor 3-5", f"calle Mayor {NUMBER}"),
        ("calle Mayor 3B", f"calle Mayor {NUMBER}"),
        ("vivo en Mayor 3", f"vivo en Mayor {NUMBER}"),
        ("I live at Calle Sol 5, 2º B.", f"I live at Calle Sol {NUMBER}."),
        ("mi dirección es Real 7 2ºA", f"mi dirección es Real {NUMBER}"),
        (
            "calle Mayor 3 y calle Sol 5",
            f"calle Mayor {NUMBER} y calle Sol {NUMBER}",
        ),
    ],
)
def test_house_numbers_are_redacted_and_street_names_kept(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "calle Mayor desde hace 3 días",
        "en la calle Mayor a las 22:30",
        "calle Mayor s/n",
        "calle Mayor, 08001 Barcelona",
        "la calle Mayor 12/03/2026",
        "la calle Mayor 2026-000123",
        "la calle Mayor lleva 2 semanas sin luz",
        "calle Mayor 35 euros de multa",
        "vivo en Madrid desde 2019",
        "vivo en Mataró 2 años",
        "la farola nº 23 de la calle Olmo",
        "ctra. N-340 km 12",
    ],
)
def test_numbers_near_a_street_that_are_not_its_house_number_are_kept(text):
    assert redact(text) == text


# --- Names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("soy María García", ["María José García López"], f"soy {NAME}"),
        ("soy maria garcia", ["María José García López"], f"soy {NAME}"),
        ("GARCÍA LÓPEZ", ["María José García López"], NAME),
        ("la señora Lopez del 3º", ["María José García López"], f"la señora {NAME} del 3º"),
        ("firmado: Muñoz", ["Pedro Muñoz"], f"firmado: {NAME}"),
        ("firmado: munoz", ["Pedro Muñoz"], f"firmado: {NAME}"),
        ("llamad a Garcia-Lopez", ["María García López"], NAME.join(["llamad a ", "-", ""])),
        ("ventana rota", ["Ana Ventura"], "ventana rota"),  # whole words only
        ("mi hija ana", ["Ana Ventura"], f"mi hija {NAME}"),
        # Particles are never removed, and a common word of the name only next to another.
        ("de la Fuente", ["María de la Fuente"], "de la Fuente"),
        ("Paz en la plaza", ["Paz Ruiz"], "Paz en la plaza"),
        ("la luz de la farola", ["Luz Blanco"], "la luz de la farola"),
        ("Luz Blanco", ["Luz Blanco"], NAME),
        ("Luz García avisa", ["Luz García"], f"{NAME} avisa"),
        ("Carrer de la Pau 3", ["Pau Puig"], f"Carrer de la Pau {NUMBER}"),
        ("Pau Puig", ["Pau Puig"], NAME),
        ("Ed dice", ["Ed Li"], "Ed dice"),  # tokens under three letters are ignored
    ],
)
def test_known_names_are_redacted(text, names, expected):
    assert redact(text, names=names) == expected


def test_known_names_may_be_any_iterable():
    names = (name for name in ["María García"])

    assert redact("maria y garcia", names=names) == f"{NAME} y {NAME}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me llamo Pedro Sánchez", f"me llamo {NAME}"),
        ("me llamo pedro sanchez y vivo aqui", f"me llamo {NAME} y vivo aqui"),
        ("Hola soy Ana Ruiz, tengo un problema", f"Hola soy {NAME}, tengo un problema"),
        ("soy Ana", f"soy {NAME}"),
        ("em dic Jordi Puig", f"em dic {NAME}"),
        ("em dic Jordi Puig i Ferrer.", f"em dic {NAME}."),
        ("Sóc la Marta, veïna", f"Sóc la {NAME}, veïna"),
        ("my name is John Smith", f"my name is {NAME}"),
        ("I'm Mohammed Al-Rashid", f"I'm {NAME}"),
        ("mi nombre es Fátima El Idrissi", f"mi nombre es {NAME}"),
        ("Un saludo,\nPedro Sánchez", f"Un saludo,\n{NAME}"),
        ("Atentamente, Dª Carmen Ortiz", f"Atentamente, Dª {NAME}"),
        ("Nombre: Luis Gil", f"Nombre: {NAME}"),
    ],
)
def test_names_after_a_self_introduction_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "soy vecino de la calle Mayor",
        "Soy de Barcelona",
        "soy la vecina del 3º",
        "I am not sure",
        "Gracias de antemano",
        "Saludos cordiales",
        "Muchas gracias.",
    ],
)
def test_introductions_without_a_name_are_kept(text):
    assert redact(text) == text


# --- What must stay ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ref 2026-000123",
        "expediente 2026-000123, sin respuesta",
        "mi caso 2026/000123",
        "mi caso 2026000123",
        "el 12/03/2026",
        "el 1.3.26",
        "el 2026-03-12",
        "a las 22:30",
        "a las 9.15 y a las 22h30",
        "35 euros",
        "1.500 €",
        "una multa de 90€",
        "CP 08001",
        "código postal 46001, Valencia",
        "en 2025 hubo 1234 quejas",
        "llevo 3 dias esperando",
        "a 1500 metros del colegio",
        "15.000 habitantes",
        "un 25% más",
        "entre el 10 y el 20 de abril",
        "Ley 39/2015 y RD 203/2021",
        "la línea 24 y el bus 7",
        "entre 1000000 y 2000000 euros",
        "la farola 4512 del inventario",
        "km 12 de la N-340",
        "hay 3 farolas y 2 bancos rotos",
    ],
)
def test_public_numbers_are_kept(text):
    assert redact(text) == text


def test_placeholders_of_the_same_kind_side_by_side_are_merged():
    assert redact("600111222 600333444") == PHONE
    assert redact("soy Ana Ruiz", names=["Ana Ruiz"]) == f"soy {NAME}"


def test_text_without_personal_data_is_untouched():
    text = "Hay un bache enorme en la calle Mayor, delante del colegio.\n¿Lo podéis arreglar?"

    assert redact(text) == text


# --- Robustness ------------------------------------------------------------------------------

# An alphabet dense in what the rules look at, so that hypothesis builds near-misses.
tricky_text = st.lists(
    st.sampled_from(
        list("0123456789 0123456789 .-/:+()@,ºª\nXYZxyzBCDFGLMabceñáéES")
        + ["calle ", "c/", "soy ", "me llamo ", "Ana ", "dni ", "tlf ", "nº ", "2026-000123"]
        + [p.value for p in Placeholder]
    ),
    max_size=60,
).map("".join)
corpus_mixes = st.lists(
    st.sampled_from([sample.text for sample in SAMPLES]).flatmap(
        lambda text: st.tuples(
            st.integers(0, len(text)), st.integers(0, len(text)), st.just(text)
        ).map(lambda t: t[2][min(t[0], t[1]) : max(t[0], t[1])])
    ),
    max_size=4,
).map(" ".join)
name_lists = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["Ana Ruiz", "Luz Sol"])))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(), tricky_text, corpus_mixes), names=name_lists)
def test_redaction_never_crashes_and_is_idempotent(text, names):
    once = redact(text, names=names)

    assert isinstance(once, str)
    assert redact(once, names=names) == once


@settings(max_examples=200)
@given(text=st.one_of(st.text(), tricky_text, corpus_mixes), max_length=st.integers(1, 300))
def test_summary_is_never_longer_than_asked(text, max_length):
    summary = propose_summary(text, max_length=max_length)

    assert len(summary) <= max_length
    assert "\n" not in summary
    assert summary == summary.strip()


def test_redaction_of_a_long_text_stays_fast():
    text = " ".join(sample.text for sample in SAMPLES) * 20 + " a" * 20_000 + "1" * 20_000

    started = time.perf_counter()
    redacted = redact(text)

    assert time.perf_counter() - started < 20
    assert not survives("600 11 12 22", redacted)


# --- Summaries -------------------------------------------------------------------------------


def test_summary_is_redacted_and_on_one_line():
    text = "  Bache  enorme\n\nen la calle Mayor 3.\tLlamad al 600 11 12 22  "

    assert propose_summary(text) == f"Bache enorme en la calle Mayor {NUMBER}. Llamad al {PHONE}"


def test_short_summary_is_not_cut():
    assert propose_summary("Farola apagada", max_length=14) == "Farola apagada"


def test_long_summary_is_cut_at_a_word_with_an_ellipsis():
    text = "La farola de la esquina lleva tres semanas apagada y los vecinos tienen miedo"

    summary = propose_summary(text, max_length=40)

    assert summary == "La farola de la esquina lleva tres" + ELLIPSIS
    assert len(summary) <= 40


def test_summary_drops_dangling_punctuation_before_the_ellipsis():
    assert propose_summary("Bache, farola, banco roto", max_length=16) == "Bache, farola" + ELLIPSIS


def test_summary_cut_never_leaves_part_of_a_phone_number():
    text = "Bache en la acera, llamadme al 600 11 12 22 cuando podáis"

    for max_length in range(1, len(text) + 1):
        summary = propose_summary(text, max_length=max_length)
        assert not re.search(r"[0-9]", summary), summary


def test_summary_of_a_single_long_word_is_cut_hard():
    assert propose_summary("a" * 50, max_length=10) == "a" * 9 + ELLIPSIS


def test_summary_refuses_a_useless_length():
    with pytest.raises(ValueError):
        propose_summary("Bache", max_length=0)


def test_summary_uses_known_names():
    summary = propose_summary("Soy maria, hay un bache", names=["María López"])

    assert summary == f"Soy {NAME}, hay un bache"
