"""People's names, profiles and the address and number shapes added for issue 15."""

import pytest

from ventanilla.privacy.names import (
    AMBIGUOUS_GIVEN_NAMES,
    GIVEN_NAMES,
    SURNAMES,
    DoubtReason,
)
from ventanilla.privacy.publication import review_public_text
from ventanilla.privacy.redaction import Placeholder, redact, redact_with_doubts

NAME = Placeholder.NAME.value
NUMBER = Placeholder.NUMBER.value
PROFILE = Placeholder.PROFILE.value
DNI = Placeholder.DOCUMENT.value
EMAIL = Placeholder.EMAIL.value
PLATE = Placeholder.PLATE.value


def test_name_lists_are_loaded_from_the_data_files():
    assert len(GIVEN_NAMES) > 500 and len(SURNAMES) > 300
    assert {"jose", "montserrat", "mohamed"} <= GIVEN_NAMES | AMBIGUOUS_GIVEN_NAMES
    assert {"garcia", "nunez", "puig"} <= SURNAMES | {"puig"}
    assert "luz" in AMBIGUOUS_GIVEN_NAMES and "luz" not in GIVEN_NAMES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi vecino Antonio Ruiz deja la basura", f"mi vecino {NAME} deja la basura"),
        ("la señora Pilar tiene un perro", f"la señora {NAME} tiene un perro"),
        (
            "el dueño del bar, un tal Paco, saca mesas",
            f"el dueño del bar, un tal {NAME}, saca mesas",
        ),
        ("mi vecino juan hace obras", f"mi vecino {NAME} hace obras"),
        ("Dña. Mercedes Ibáñez Soto solicita", f"Dña. {NAME} solicita"),
        ("el meu veí en Jordi té un gos", f"el meu veí en {NAME} té un gos"),
        ("la veïna de dalt, l'Anna, rega", f"la veïna de dalt, l'{NAME}, rega"),
        ("my landlord, Mr Javier Ortega, refuses", f"my landlord, Mr {NAME}, refuses"),
        ("my neighbour kate says", f"my neighbour {NAME} says"),
        ("un chico que se llama brayan rompió", f"un chico que se llama {NAME} rompió"),
        ("Los inquilinos son Ion Popescu y Andreea", f"Los inquilinos son {NAME} y {NAME}"),
        ("Sr. J. García del 2º", f"Sr. {NAME} del 2º"),
        ("Paloma, la del quiosco, dice", f"{NAME}, la del quiosco, dice"),
        ("Gracias. Oksana Kovalenko", f"Gracias. {NAME}"),
        ("Mi vecino Mohamed El Amrani y yo", f"Mi vecino {NAME} y yo"),
        ("Francisco Javier Ortega Sanz no puede venir", f"{NAME} no puede venir"),
        ("Hi, Jack here.", f"Hi, {NAME} here."),
    ],
)
def test_people_named_in_a_message_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "calle Doctor Fleming",
        "carrer de Pau Claris",
        "avenida Juan Carlos I",
        "calle Ramón y Cajal",
        "plaza de San Juan",
        "carrer de Sant Antoni",
        "carrer d'Aribau",
        "el colegio Federico García Lorca",
        "el metro de Verdaguer",
        "on Victoria Street",
        "un Mercedes negro",
        "frente al Mercadona",
        "la Guardia Civil",
        "la luz de la farola",
        "Soy de Valencia",
    ],
)
def test_streets_places_saints_and_brands_named_after_people_are_kept(text):
    assert redact(text) == text


def test_words_to_keep_are_never_taken_for_a_name():
    text = "Me atendieron en el Programa Lucía y en Parques y Jardines"

    assert redact(text, keep=["programa lucia", "Parques y Jardines"]) == text
    assert "Lucía" not in redact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi número es 45678912, gracias", f"Mi número es {DNI}, gracias"),
        ("DNI del avi: 48.211.733", f"DNI del avi: {DNI}"),
        ("escribid a nombre.soler(at)example(dot)com ya", f"escribid a {EMAIL} ya"),
        ("jordi.pujol(arroba)gmail(punt)com", EMAIL),
        ("reach me at james [at] outlook [dot] co [dot] uk", f"reach me at {EMAIL}"),
        ("ana at gmail dot com", EMAIL),
        ("síguenos en @vecinos_lavapies", f"síguenos en {PROFILE}"),
        ("instagram.com/laura.vecinos.centro", f"instagram.com/{PROFILE}"),
        ("https://www.facebook.com/pepe.garcia.77/", f"https://www.facebook.com/{PROFILE}"),
        ("el coche 1234 ABC", f"el coche {PLATE}"),
        ("vivo en Mayor 12 2ºA", f"vivo en Mayor {NUMBER}"),
        ("En Velázquez 45 4ºD gotea", f"En Velázquez {NUMBER} gotea"),
        ("viu a Sardenya 215 1r 1a i", f"viu a Sardenya {NUMBER} i"),
        ("del 2n 1a de Còrsega 290, i", f"del {NUMBER} de Còrsega {NUMBER}, i"),
        ("vivo en el 15 de la calle Goya", f"vivo en el {NUMBER} de la calle Goya"),
        ("al número 6 del carrer de l'Hospital", f"al número {NUMBER} del carrer de l'Hospital"),
        (
            "I live at 14 Calle Cervantes, 3rd floor",
            f"I live at {NUMBER} Calle Cervantes, {NUMBER}",
        ),
        ("we live at 12 High Street", f"we live at {NUMBER} High Street"),
    ],
)
def test_leaks_seen_after_approval_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1.500.000 € de presupuesto",
        "12345678 euros",
        "la farola nº 23 de la calle Olmo",
        "me at home.com",
        "el email de info@ es raro",
        "la línea 24 y el bus 7",
    ],
)
def test_lookalikes_of_the_new_rules_are_kept(text):
    assert redact(text) == text


def test_doubts_say_which_words_may_be_names_and_where():
    redaction = redact_with_doubts("Queremos que Victoria venga. El bar de Martínez cierra")

    assert redaction.text == f"Queremos que Victoria venga. El bar de {NAME} cierra"
    kept = [d for d in redaction.doubts if not d.removed]
    removed = [d for d in redaction.doubts if d.removed]
    assert [(d.text, d.reason) for d in kept] == [("Victoria", DoubtReason.COMMON_WORD_NAME)]
    assert redaction.text[kept[0].start : kept[0].end] == "Victoria"
    assert [(d.text, d.reason, d.start) for d in removed] == [
        ("Martínez", DoubtReason.SURNAME_ALONE, None)
    ]


def test_a_name_unknown_to_the_lists_after_a_cue_is_removed_as_a_doubt():
    redaction = redact_with_doubts("El responsable de la obra, Rigoberto, no pone vallas")

    assert redaction.text == f"El responsable de la obra, {NAME}, no pone vallas"
    assert [(d.text, d.reason) for d in redaction.doubts] == [
        ("Rigoberto", DoubtReason.UNKNOWN_AFTER_CUE)
    ]


def test_a_name_kept_as_a_street_before_a_house_number_is_a_doubt():
    redaction = redact_with_doubts("Visc a Pau Claris 140 4t 2a")

    assert redaction.text == f"Visc a Pau Claris {NUMBER}"
    assert [(d.text, d.reason, d.removed) for d in redaction.doubts] == [
        ("Pau Claris", DoubtReason.NAME_AS_PLACE, False)
    ]


def test_text_without_doubts_has_none():
    assert redact_with_doubts("Hay un bache en la calle Mayor").doubts == ()


def test_review_of_a_public_text_points_into_the_published_text():
    review = review_public_text("  \x07Vivo en Santiago y mi vecina Rosa se queja ")

    assert review.text == f"Vivo en Santiago y mi vecina {NAME} se queja"
    (doubt,) = review.doubts
    assert review.text[doubt.start : doubt.end] == "Santiago"
